"""Form fields every app shares, and the one way a service's refusal lands on a form.

People are picked and shown by their full name, with the username as the fallback for an account that
has none, so a picker never lists bare logins like "mokafor"."""

from collections.abc import Mapping

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim


def user_label(user) -> str:
    """How a person is named on every page: their full name, else their username."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def active_users():
    """Everyone who can be picked, sorted by the label they are shown with (case-insensitive)."""
    full_name = NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value(""))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by(Lower(Coalesce(full_name, "username")), "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    """A person picker labelled with full names (see user_label)."""

    def label_from_instance(self, obj) -> str:
        return user_label(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several people, labelled like UserChoiceField."""

    def label_from_instance(self, obj) -> str:
        return user_label(obj)


def add_service_error(
    form: forms.Form,
    exc,
    *,
    message: str | None = None,
    aliases: Mapping[str, str] | None = None,
    beside: bool = True,
) -> bool:
    """Put a service's `ApplicationError` on `form`, where the person typed what it refuses.

    `extra["field"]` names one field: the message goes beside it. Else `extra["fields"]`, a dict of
    field -> messages (a model's `full_clean`), puts each field's own messages beside it. A field the
    form does not show, or `beside=False` (a form whose fields are not shown again), puts the message
    above the form. `aliases` maps a service's field to the form's (one time input for any phase
    stamp); `message` replaces the service's text (e.g. with its times in the viewer's zone).
    Returns whether anything went beside a field."""
    text = exc.message if message is None else message
    aliases = aliases or {}

    def shown(name) -> str | None:
        name = aliases.get(name, name)
        return name if beside and name in form.fields else None

    field = exc.extra.get("field")
    fields = exc.extra.get("fields")
    if field is None and isinstance(fields, dict):
        for name, problems in fields.items():
            form.add_error(shown(name), problems)
        return any(shown(name) for name in fields)
    form.add_error(shown(field), text)
    return shown(field) is not None
