from django.urls import path

from coe import live, views, views_comments

app_name = "coe"

urlpatterns = [
    path("incidents/<int:incident_id>/coe/start/", views.coe_start, name="start"),
    path("coe/<int:coe_id>/", views.coe_detail, name="detail"),
    path("coe/<int:coe_id>/sections/<str:key>/", views.section_save, name="section_save"),
    path("coe/<int:coe_id>/sections/<str:key>/history/", views.section_history, name="section_history"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/restore/<int:version>/",
        views.section_restore,
        name="section_restore",
    ),
    path("coe/<int:coe_id>/factors/", views.factor_add, name="factor_add"),
    path("coe/<int:coe_id>/factors/<int:factor_id>/delete/", views.factor_delete, name="factor_delete"),
    path("coe/<int:coe_id>/action-items/", views.action_item_save, name="action_item_add"),
    path("coe/<int:coe_id>/action-items/<int:item_id>/", views.action_item_save, name="action_item_save"),
    path(
        "coe/<int:coe_id>/action-items/<int:item_id>/status/",
        views.action_item_status,
        name="action_item_status",
    ),
    path("coe/<int:coe_id>/findings/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("coe/<int:coe_id>/submit/", views.coe_submit, name="submit"),
    path("coe/<int:coe_id>/review/", views.coe_review, name="review"),
    path("coe/<int:coe_id>/reopen/", views.coe_reopen, name="reopen"),
    path("coe/<int:coe_id>/export.md", views.coe_export_markdown, name="export_markdown"),
    path("coe/<int:coe_id>/print/", views.coe_print, name="print"),
    path("action-items/", views.action_item_list, name="action_items"),
    path("coe/<int:coe_id>/sections/<str:key>/comments/", views_comments.comment_list, name="comment_list"),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/resolve/",
        views_comments.comment_resolve,
        name="comment_resolve",
    ),
    path(
        "coe/<int:coe_id>/sections/<str:key>/comments/<int:comment_id>/reopen/",
        views_comments.comment_reopen,
        name="comment_reopen",
    ),
    path("coe/<int:coe_id>/live/", live.coe_live, name="live"),
    path("coe/<int:coe_id>/sections/<str:key>/presence/", live.section_presence, name="section_presence"),
]
