from django.urls import path

from alerts import hooks, views

app_name = "alerts"

urlpatterns = [
    # The inbound endpoints tools are configured with.
    path("hooks/", hooks.hook, name="hook_bearer"),
    path("hooks/<str:key>/", hooks.hook, name="hook"),
    path("v2/enqueue", hooks.pagerduty_enqueue, name="pagerduty_enqueue"),
    # Pages.
    path("integrations/", views.integration_list, name="integration_list"),
    path("integrations/new/", views.integration_create, name="integration_create"),
    path("integrations/<int:integration_id>/", views.integration_detail, name="integration_detail"),
    path(
        "integrations/<int:integration_id>/rotate/", views.integration_rotate_key, name="integration_rotate"
    ),
    path("integrations/<int:integration_id>/toggle/", views.integration_toggle, name="integration_toggle"),
    path("integrations/<int:integration_id>/edit/", views.integration_edit, name="integration_edit"),
    path(
        "integrations/<int:integration_id>/test-alert/",
        views.integration_test_alert,
        name="integration_test_alert",
    ),
    path(
        "integrations/<int:integration_id>/test-alert/<int:delivery_id>/",
        views.integration_test_alert_result,
        name="integration_test_alert_result",
    ),
]
