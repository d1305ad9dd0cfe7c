"""The REST API of in-app notifications (/api/v1/notifications/: list yours, mark them read).

The same selectors and services as the pages (`notifications.selectors`, `notifications.services.inbox`).
Built like the other apps' APIs: module-level serializers with unique names, `core.api.ApiView`, errors
as {"message", "code", "extra"}. Moved here from coe.api_comments (issue 11) with the same paths, URL
names and operation ids, so the schema and the clients see no change."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from coe.api_serializers import EnumField
from core.api import ApiView, PageIn, StrictIn, error_responses, paginated, validated
from notifications import selectors
from notifications.models import Notification, NotificationKind
from notifications.services import inbox

NOTIFICATION_TAGS = ["notifications"]


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField(NotificationKind)
    text = serializers.CharField(help_text="What happened, in words.")
    url = serializers.SerializerMethodField(help_text="The web page it is about.")
    actor = serializers.CharField(
        source="actor.username", allow_null=True, help_text="Who caused it; null for the system."
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True, help_text="Null while unread.")

    def get_url(self, notification: Notification) -> str:
        return self.context["request"].build_absolute_uri(notification.url)


class NotificationListIn(PageIn):
    unread = serializers.BooleanField(required=False, help_text="true: only the unread ones.")


class NotificationsReadIn(StrictIn):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; left out: all of yours. Ids that are not yours, or "
        "already read, are skipped.",
    )


class NotificationsReadOut(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many of yours are still unread.")


class NotificationListApi(ApiView):
    @extend_schema(
        operation_id="notifications_list",
        tags=NOTIFICATION_TAGS,
        summary="List your notifications",
        description="Newest first: mentions in COE comments for now. `unread=true` lists only the unread "
        "ones (and `count` is then your unread count).",
        parameters=[NotificationListIn],
        responses={200: paginated(NotificationOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(NotificationListIn, request.query_params)
        notifications = selectors.notification_list(
            user=request.user, unread_only=params.get("unread", False)
        )
        return self.paginate(
            notifications,
            lambda rows: NotificationOut(rows, many=True, context={"request": request}).data,
        )


class NotificationsReadApi(ApiView):
    @extend_schema(
        operation_id="notifications_read",
        tags=NOTIFICATION_TAGS,
        summary="Mark notifications read",
        description="The ones in `ids`, or all of yours without it. Marking twice changes nothing.",
        request=NotificationsReadIn,
        responses={200: NotificationsReadOut, **error_responses(400, 413)},
        examples=[OpenApiExample("Some", value={"ids": [3, 4]}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validated(NotificationsReadIn, request.data)
        marked = inbox.notifications_mark_read(user=request.user, ids=data.get("ids"))
        unread = selectors.notification_unread_count(user=request.user)
        return Response(NotificationsReadOut({"marked": marked, "unread": unread}).data)
