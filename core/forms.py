"""Form fields every app shares. People are picked and shown by their full name, with the username
as the fallback for an account that has none, so a picker never lists bare logins like "mokafor"."""

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
