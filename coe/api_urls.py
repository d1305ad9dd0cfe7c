"""/api/v1/coe/ and /api/v1/action-items/: the COE REST API, with its comments (see docs/api.md).

Included from `config.api_urls` (before its catch-all 404), so the names live in the "api"
namespace next to the incident ones: `api:coe_list`, `api:coe_detail`, ...
"""

from django.urls import path

from coe import api, api_comments

urlpatterns = [
    path("incidents/<int:incident_id>/coe/", api.CoeStartApi.as_view(), name="coe_start"),
    path("coe/", api.CoeListApi.as_view(), name="coe_list"),
    path("coe/lint/", api.CoeLintApi.as_view(), name="coe_lint"),
    path("coe/<int:coe_id>/", api.CoeDetailApi.as_view(), name="coe_detail"),
    path("coe/<int:coe_id>/sections/<str:key>/", api.SectionApi.as_view(), name="coe_section"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/revisions/",
        api.SectionRevisionListApi.as_view(),
        name="coe_section_revisions",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/revisions/<int:version>/restore/",
        api.SectionRestoreApi.as_view(),
        name="coe_section_restore",
    ),
    path("coe/<int:coe_id>/factors/", api.FactorListApi.as_view(), name="coe_factor_list"),
    path(
        "coe/<int:coe_id>/factors/<int:factor_id>/", api.FactorDetailApi.as_view(), name="coe_factor_detail"
    ),
    path("coe/<int:coe_id>/action-items/", api.CoeActionItemListApi.as_view(), name="coe_action_item_list"),
    path("coe/<int:coe_id>/submit/", api.CoeSubmitApi.as_view(), name="coe_submit"),
    path("coe/<int:coe_id>/review/", api.CoeReviewApi.as_view(), name="coe_review"),
    path("coe/<int:coe_id>/reopen/", api.CoeReopenApi.as_view(), name="coe_reopen"),
    path("action-items/", api.ActionItemListApi.as_view(), name="action_item_list"),
    path("action-items/<int:item_id>/", api.ActionItemDetailApi.as_view(), name="action_item_detail"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/",
        api_comments.CommentListApi.as_view(),
        name="coe_section_comments",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/resolve/",
        api_comments.CommentResolveApi.as_view(),
        name="coe_section_comment_resolve",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/reopen/",
        api_comments.CommentReopenApi.as_view(),
        name="coe_section_comment_reopen",
    ),
]
