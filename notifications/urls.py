from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/notifications/", views.preferences, name="preferences"),
    path("channels/", views.webhook_list, name="webhook_list"),
    path("channels/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("channels/webhooks/<int:webhook_id>/", views.webhook_edit, name="webhook_edit"),
    path("channels/webhooks/<int:webhook_id>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("channels/webhooks/<int:webhook_id>/test/", views.webhook_test, name="webhook_test"),
    path("channels/digest-addresses/", views.digest_address_add, name="digest_address_add"),
    path(
        "channels/digest-addresses/<int:subscription_id>/remove/",
        views.digest_address_remove,
        name="digest_address_remove",
    ),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/retry/", views.outbox_retry, name="outbox_retry"),
]
