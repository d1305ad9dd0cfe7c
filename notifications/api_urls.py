"""/api/v1/notifications/: the in-app notifications API (see docs/api.md).

Included from `config.api_urls` (before its catch-all 404), so the names live in the "api" namespace:
`api:notification_list`, `api:notifications_read`.
"""

from django.urls import path

from notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notification_list"),
    path("notifications/read/", api.NotificationsReadApi.as_view(), name="notifications_read"),
]
