"""/notifications/: the in-app notifications pages. Outside the "notifications" namespace of
`notifications.urls` because their names (`notifications`, `notifications_read`, `notification_open`)
predate the app and templates and tests use them bare; included from config/urls.py."""

from django.urls import path

from notifications import views_inbox

urlpatterns = [
    path("notifications/", views_inbox.notification_list, name="notifications"),
    path("notifications/read/", views_inbox.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/", views_inbox.notification_open, name="notification_open"),
]
