"""What /api/schema/ promises about requests (core/schema.py), read from the schema the server serves."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _request_component(schema, operation):
    content = operation["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_request_bodies_are_json_only_and_refuse_undeclared_properties(schema):
    bodies = [(label, op) for label, op in _operations(schema) if "requestBody" in op]

    assert len(bodies) >= 15
    for label, operation in bodies:
        assert list(operation["requestBody"]["content"]) == ["application/json"], label
        assert _request_component(schema, operation)["additionalProperties"] is False, label
        assert "415" in operation["responses"] and "400" in operation["responses"], label


def test_required_text_says_it_must_not_be_blank_and_no_text_holds_nul(schema):
    declare = dict(_operations(schema))["POST /api/v1/incidents/"]
    properties = _request_component(schema, declare)["properties"]

    assert properties["title"]["minLength"] == 1
    assert re.fullmatch(properties["title"]["pattern"], "Outage")
    assert not re.fullmatch(properties["title"]["pattern"], "   ")
    assert not re.fullmatch(properties["summary"]["pattern"], "a\x00b")
    assert re.fullmatch(properties["summary"]["pattern"], "")


def test_lint_text_is_a_string(schema):
    lint = dict(_operations(schema))["POST /api/v1/coe/lint/"]

    assert _request_component(schema, lint)["properties"]["text"]["type"] == "string"


def test_query_text_parameters_hold_no_nul(schema):
    listing = dict(_operations(schema))["GET /api/v1/incidents/"]
    q = next(p for p in listing["parameters"] if p["name"] == "q")

    assert not re.fullmatch(q["schema"]["pattern"], "x\x00")


def test_the_400_names_the_reasons_a_valid_request_can_still_be_refused(schema):
    declare = dict(_operations(schema))["POST /api/v1/incidents/"]

    assert "does_not_exist" in declare["responses"]["400"]["description"]
