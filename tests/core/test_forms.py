"""`core.forms.add_service_error`: where a service's refusal lands on a form (no database)."""

import pytest
from django import forms

from core import errors
from core.forms import add_service_error


class Form(forms.Form):
    title = forms.CharField(required=False)
    at = forms.CharField(required=False)


def bound() -> Form:
    form = Form({"title": "x", "at": ""})
    assert form.is_valid()
    return form


@pytest.mark.parametrize(
    ("extra", "kwargs", "expected", "beside"),
    [
        ({"field": "title"}, {}, {"title": ["No."]}, True),
        ({"field": "nope"}, {}, {"__all__": ["No."]}, False),
        ({}, {}, {"__all__": ["No."]}, False),
        ({"field": "title"}, {"beside": False}, {"__all__": ["No."]}, False),
        ({"field": "detected_at"}, {"aliases": {"detected_at": "at"}}, {"at": ["No."]}, True),
        ({"field": "title"}, {"message": "Shown."}, {"title": ["Shown."]}, True),
        (
            {"fields": {"title": ["Required."], "gone": ["Bad."]}},
            {},
            {"title": ["Required."], "__all__": ["Bad."]},
            True,
        ),
        ({"fields": {"gone": ["Bad."]}}, {}, {"__all__": ["Bad."]}, False),
        # One field named: the service's message beside it, whatever `fields` adds.
        ({"field": "title", "fields": {"title": ["Too long."]}}, {}, {"title": ["No."]}, True),
        # A list of names is not a map of messages: the message goes above.
        ({"fields": ["title"]}, {}, {"__all__": ["No."]}, False),
    ],
)
def test_add_service_error_places_the_refusal(extra, kwargs, expected, beside):
    form = bound()
    placed = add_service_error(form, errors.ValidationFailed("No.", extra=extra), **kwargs)
    assert placed is beside
    assert form.errors == expected
