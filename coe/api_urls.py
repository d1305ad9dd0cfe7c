"""/api/v1/coe/ and /api/v1/action-items/: the COE REST API, with its comments (see docs/api.md).

Included from `config.api_urls` (before its catch-all 404), so the names live in the "api"
namespace next to the incident ones: `api:coe_list`, `api:coe_detail`, ...
"""

from django.urls import path

from coe.api import comments, documents, items, review

urlpatterns = [
    path("incidents/<int:incident_id>/coe/", documents.CoeStartApi.as_view(), name="coe_start"),
    path("coe/", documents.CoeListApi.as_view(), name="coe_list"),
    path("coe/lint/", documents.CoeLintApi.as_view(), name="coe_lint"),
    path("coe/<int:coe_id>/", documents.CoeDetailApi.as_view(), name="coe_detail"),
    path("coe/<int:coe_id>/sections/<str:key>/", documents.SectionApi.as_view(), name="coe_section"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/revisions/",
        documents.SectionRevisionListApi.as_view(),
        name="coe_section_revisions",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/revisions/<int:version>/restore/",
        documents.SectionRestoreApi.as_view(),
        name="coe_section_restore",
    ),
    path("coe/<int:coe_id>/factors/", documents.FactorListApi.as_view(), name="coe_factor_list"),
    path(
        "coe/<int:coe_id>/factors/<int:factor_id>/",
        documents.FactorDetailApi.as_view(),
        name="coe_factor_detail",
    ),
    path("coe/<int:coe_id>/action-items/", items.CoeActionItemListApi.as_view(), name="coe_action_item_list"),
    path("coe/<int:coe_id>/submit/", review.CoeSubmitApi.as_view(), name="coe_submit"),
    path("coe/<int:coe_id>/review/", review.CoeReviewApi.as_view(), name="coe_review"),
    path("coe/<int:coe_id>/reopen/", review.CoeReopenApi.as_view(), name="coe_reopen"),
    path("action-items/", items.ActionItemListApi.as_view(), name="action_item_list"),
    path("action-items/<int:item_id>/", items.ActionItemDetailApi.as_view(), name="action_item_detail"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/",
        comments.CommentListApi.as_view(),
        name="coe_section_comments",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/resolve/",
        comments.CommentResolveApi.as_view(),
        name="coe_section_comment_resolve",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/reopen/",
        comments.CommentReopenApi.as_view(),
        name="coe_section_comment_reopen",
    ),
]
