from django.contrib import admin

from coe.models import ActionItem, Coe, CoeEvent, Comment, ContributingFactor, Reviewer, Revision, Section


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    can_delete = False
    fields = ["key", "version", "body", "updated_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Coe)
class CoeAdmin(admin.ModelAdmin):
    """Sections change through the COE page (versions and revisions); the admin shows them."""

    list_display = ["__str__", "state", "owner", "due_on", "submitted_at", "approved_at"]
    list_filter = ["state"]
    list_select_related = ["incident", "owner"]
    readonly_fields = ["incident", "state", "submitted_at", "approved_at", "created_at", "updated_at"]
    inlines = [SectionInline]

    def has_add_permission(self, request):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "coe", "kind", "owner", "due_on", "status", "priority"]
    list_filter = ["status", "kind", "priority"]
    search_fields = ["title"]
    list_select_related = ["coe__incident", "owner"]


@admin.register(ContributingFactor)
class ContributingFactorAdmin(admin.ModelAdmin):
    list_display = ["statement", "category", "coe"]
    list_filter = ["category"]
    list_select_related = ["coe__incident"]


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["coe", "user", "decision", "decided_at"]
    list_select_related = ["coe__incident", "user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["section", "version", "author", "created_at"]
    list_select_related = ["section", "author"]


@admin.register(CoeEvent)
class CoeEventAdmin(ReadOnlyAdmin):
    list_display = ["coe", "kind", "actor", "at"]
    list_select_related = ["coe__incident", "actor"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments are never edited or deleted; they change through the COE page (resolve, reopen)."""

    list_display = ["__str__", "section", "author", "parent", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["section", "author"]
    search_fields = ["body", "author__username"]
