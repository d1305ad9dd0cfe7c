"""The REST API of comment threads on COE sections (/api/v1/coe/{coe_id}/sections/{key}/comments/).

The same services as the pages (`coe.services.comments`), so a comment posted by a script notifies the
same people as one typed in the browser. Built like the rest of `coe.api`: module-level serializers with
unique names, `core.api.ApiView`, errors as {"message", "code", "extra"}. The notifications their
@mentions send are listed by the notifications app's API (/api/v1/notifications/, notifications.api).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_selectors, markdown, selectors
from coe.api import _common
from coe.api_serializers import NoBodyIn
from coe.models import COMMENT_MAX_LENGTH, Comment
from coe.sections import SectionKey
from coe.services import comments
from core import errors
from core.api import ApiView, ErrorOut, PageIn, StrictIn, error_responses, paginated, validated

COMMENT_TAGS = ["comments"]
NOT_FOUND = "No such COE, section (`key`) or comment on that section, or a page past the last one."


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    responses = error_responses(*codes)
    if 404 in responses:
        responses[404] = OpenApiResponse(ErrorOut, description=NOT_FOUND)
    return responses


# --- Serializers -------------------------------------------------------------------------------------


class CommentOut(serializers.Serializer):
    """One comment: a thread's first comment or a reply."""

    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username", help_text="The author's username.")
    body = serializers.CharField(help_text="Markdown, as written.")
    html = serializers.SerializerMethodField(
        help_text="The body rendered; scripts, handlers and unsafe links removed."
    )
    created_at = serializers.DateTimeField()

    def get_html(self, comment: Comment) -> str:
        return markdown.render(comment.body)


class CommentThreadOut(CommentOut):
    """A thread: its first comment (whose `id` is the thread's), its replies and its resolution."""

    resolved = serializers.SerializerMethodField(help_text="Settled; the pages show it collapsed.")
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(
        source="resolved_by.username", allow_null=True, help_text="Username of who resolved it, or null."
    )
    replies = CommentOut(many=True, source="replies.all", help_text="Oldest first.")

    def get_resolved(self, comment: Comment) -> bool:
        return comment.resolved_at is not None


class CommentListIn(PageIn):
    resolved = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only resolved threads; false: only open ones; left out: both.",
    )


class CommentAddIn(StrictIn):
    body = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"Markdown, at most {COMMENT_MAX_LENGTH:,} characters. `@username` notifies that person "
        "(an existing active user other than you; other names stay text). Mentions in code do not count.",
    )
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Reply to the thread of this comment (a reply's id names its thread). A reply to a "
        "resolved thread reopens it.",
    )


# --- Comments ----------------------------------------------------------------------------------------


def _section_key(key: str) -> SectionKey:
    if key not in SectionKey.values:
        raise errors.NotFound(f"No section {key!r}.", extra={"key": key, "keys": SectionKey.values})
    return SectionKey(key)


def _thread_response(coe_id: int, key: str, comment: Comment, *, status_code: int = 200) -> Response:
    thread = (
        selectors.comment_thread_list(coe_id=coe_id, key=key).filter(pk=comment.parent_id or comment.pk).get()
    )
    return Response(CommentThreadOut(thread).data, status=status_code)


class CommentListApi(ApiView):
    @extend_schema(
        operation_id="coe_section_comments_list",
        tags=COMMENT_TAGS,
        summary="List a section's comment threads",
        description="Oldest first, each with its replies. Filter with `resolved`.",
        parameters=[_common.KEY, CommentListIn],
        responses={200: paginated(CommentThreadOut), **_errors(400, 404)},
    )
    def get(self, request: Request, coe_id: int, key: str) -> Response:
        key = _section_key(key)
        params = validated(CommentListIn, request.query_params)
        if not api_selectors.coe_exists(coe_id=coe_id):
            raise errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id})
        threads = selectors.comment_thread_list(coe_id=coe_id, key=key, resolved=params["resolved"])
        return self.paginate(threads, lambda rows: CommentThreadOut(rows, many=True).data)

    @extend_schema(
        operation_id="coe_section_comments_create",
        tags=COMMENT_TAGS,
        summary="Comment on a section, or reply",
        description="Starts a thread, or with `parent` replies to one (which reopens it if it was "
        "resolved). Allowed in every state of the COE: comments are not part of the document. Answers "
        "201 with the whole thread the comment is in.",
        parameters=[_common.KEY],
        request=CommentAddIn,
        responses={201: CommentThreadOut, **_errors(400, 404, 413)},
        examples=[
            OpenApiExample(
                "Comment",
                value={"body": "@bob can you add the error-rate graph here?"},
                request_only=True,
            ),
            OpenApiExample("Reply", value={"body": "Added.", "parent": 12}, request_only=True),
        ],
    )
    def post(self, request: Request, coe_id: int, key: str) -> Response:
        key = _section_key(key)
        data = validated(CommentAddIn, request.data)
        comment = comments.comment_add(
            coe_id=coe_id, key=key, author=request.user, body=data["body"], parent_id=data.get("parent")
        )
        return _thread_response(coe_id, key, comment, status_code=status.HTTP_201_CREATED)


class CommentResolveApi(ApiView):
    @extend_schema(
        operation_id="coe_section_comments_resolve",
        tags=COMMENT_TAGS,
        summary="Resolve a thread",
        description="Resolves the thread the comment is in. A resolved thread stays as it was.",
        parameters=[_common.KEY],
        request=None,
        responses={200: CommentThreadOut, **_errors(400, 404, 413)},
    )
    def post(self, request: Request, coe_id: int, key: str, comment_id: int) -> Response:
        key = _section_key(key)
        validated(NoBodyIn, request.data)
        thread = comments.comment_resolve(coe_id=coe_id, key=key, comment_id=comment_id, actor=request.user)
        return _thread_response(coe_id, key, thread)


class CommentReopenApi(ApiView):
    @extend_schema(
        operation_id="coe_section_comments_reopen",
        tags=COMMENT_TAGS,
        summary="Reopen a thread",
        description="Reopens the resolved thread the comment is in. An open thread stays as it was.",
        parameters=[_common.KEY],
        request=None,
        responses={200: CommentThreadOut, **_errors(400, 404, 413)},
    )
    def post(self, request: Request, coe_id: int, key: str, comment_id: int) -> Response:
        key = _section_key(key)
        validated(NoBodyIn, request.data)
        thread = comments.comment_reopen(coe_id=coe_id, key=key, comment_id=comment_id, actor=request.user)
        return _thread_response(coe_id, key, thread)
