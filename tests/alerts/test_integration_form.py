"""The integration form (create and edit) through Django's client: fields per kind, the severity map and
service rules as rows, errors beside the field, names unique per team, post/redirect/get."""

import re

import pytest

from alerts import services
from alerts.models import Integration, Kind
from tests import factories

pytestmark = pytest.mark.django_db

KIND_ONLY = {"hmac_secret": "grafana", "verify_sns_signatures": "cloudwatch"}


def rules(prefix: str, rows: list[tuple[str, str]], *, initial: int = 0, extra: int = 3) -> dict:
    """A formset's fields as the page posts them: the management form, then each row."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), initial + extra)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for i, (value, target) in enumerate(rows):
        data[f"{prefix}-{i}-value"] = value
        data[f"{prefix}-{i}-{prefix}"] = target
    return data


def form_data(team, *, kind="alertmanager", name="Prod", severity=(), service=(), **fields) -> dict:
    return {
        "name": name,
        "kind": kind,
        "team": team.pk,
        "default_severity": "SEV3",
        "severity_label": "severity",
        "service_label": "service",
        "rate_limit_per_minute": 6000,
        **rules("severity", list(severity)),
        **rules("service", list(service)),
        **fields,
    }


def wrapper(content: str, kind: str) -> str:
    """The opening tag of the wrapper of a field that belongs to one kind."""
    match = re.search(rf'<div data-kinds="{kind}"[^>]*>', content)
    assert match, f"no field for {kind} on the page"
    return match.group(0)


def error_beside(content: str, field_id: str) -> str:
    """The error rendered right after a field (the template gives it the field's id + _error)."""
    match = re.search(rf'id="{field_id}_error"[^>]*>([^<]+)<', content)
    assert match, f"no error beside {field_id}"
    return match.group(1)


def test_new_form_shows_every_field_in_plain_words_and_no_inline_script(client_logged_in):
    content = client_logged_in.get("/integrations/new/").content.decode()

    for label in (
        "HMAC secret",
        "Verify SNS signatures",
        "Rate limit (deliveries per minute)",
        "Severity map",
    ):
        assert label in content
    assert "data-kind-switch" in content
    # No tool chosen yet: without JS every field is there (each says which tool it is for).
    assert " hidden" not in wrapper(content, "grafana")
    assert " hidden" not in wrapper(content, "cloudwatch")
    assert "onsubmit" not in content and "onclick" not in content and "onchange" not in content
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", content))


@pytest.mark.parametrize("kind", Kind.values)
def test_a_refused_form_shows_only_the_fields_of_the_chosen_kind(client_logged_in, team, kind):
    response = client_logged_in.post("/integrations/new/", form_data(team, kind=kind, name=""))

    assert response.status_code == 400
    content = response.content.decode()
    for only in ("grafana", "cloudwatch"):
        assert (" hidden" in wrapper(content, only)) == (only != kind)


@pytest.mark.parametrize("kind", Kind.values)
def test_edit_form_shows_only_the_fields_of_its_kind(client_logged_in, make_integration, kind):
    integration, _key = make_integration(kind)

    content = client_logged_in.get(f"/integrations/{integration.pk}/edit/").content.decode()

    for only in ("grafana", "cloudwatch"):
        assert (" hidden" in wrapper(content, only)) == (only != kind)
    assert 'name="kind"' not in content  # the kind is fixed once created
    assert integration.get_kind_display() in content


def test_create_saves_the_maps_and_the_edit_form_shows_them_as_rows(client_logged_in, team):
    service = factories.service("Checkout API", team=team)

    response = client_logged_in.post(
        "/integrations/new/",
        form_data(
            team,
            severity=[(" db-down ", "SEV1"), ("noise", "SEV4")],
            service=[("payments", service.slug)],
        ),
    )

    integration = Integration.objects.get()
    assert response.status_code == 302
    assert integration.severity_map == {"db-down": "SEV1", "noise": "SEV4"}
    assert integration.service_map == {"payments": service.slug}
    edit = client_logged_in.get(f"/integrations/{integration.pk}/edit/")
    severity_rows, service_rows = edit.context["severity_rules"], edit.context["service_rules"]
    assert [f.initial for f in severity_rows.initial_forms] == [  # in alphabetical order
        {"value": "db-down", "severity": "SEV1"},
        {"value": "noise", "severity": "SEV4"},
    ]
    assert [f.initial for f in service_rows.initial_forms] == [{"value": "payments", "service": service.slug}]
    content = edit.content.decode()
    assert 'value="db-down"' in content
    assert "Checkout API (Payments)" in content  # services are picked by name
    detail = client_logged_in.get(f"/integrations/{integration.pk}/").content.decode()
    assert "db-down</code> → SEV1" in detail


def test_re_editing_changes_a_row_and_a_cleared_row_is_removed(client_logged_in, make_integration, team):
    integration, _key = make_integration("generic", severity_map={"db-down": "SEV1", "noise": "SEV4"})
    data = form_data(team, name=integration.name, kind="generic")
    data |= rules("severity", [("db-down", "SEV2"), ("", "")], initial=2)

    response = client_logged_in.post(f"/integrations/{integration.pk}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/integrations/{integration.pk}/"
    integration.refresh_from_db()
    assert integration.severity_map == {"db-down": "SEV2"}


BAD_ROWS = [
    # (severity rows, service rows, the field the error is beside, words of the error)
    ([("db-down", "SEV9")], [], "id_severity-0-severity", "Unknown severity SEV9"),
    ([("db-down", "sev1")], [], "id_severity-0-severity", "Unknown severity sev1"),
    ([("db-down", "")], [], "id_severity-0-severity", "Pick the severity"),
    ([("", "SEV2")], [], "id_severity-0-value", "Enter the label value"),
    ([("High", "SEV1"), (" high ", "SEV2")], [], "id_severity-1-value", "already listed"),
    ([], [("payments", "no-such-service")], "id_service-0-service", "Unknown service"),
    ([], [("payments", "")], "id_service-0-service", "Pick the service"),
    ([], [("", "checkout-api")], "id_service-0-value", "Enter the label value"),
    ([("x" * 201, "SEV1")], [], "id_severity-0-value", "at most 200 characters"),
]


@pytest.mark.parametrize(("severity", "service", "field_id", "words"), BAD_ROWS)
def test_bad_rows_are_refused_with_the_error_beside_the_field(
    client_logged_in, team, severity, service, field_id, words
):
    factories.service("Checkout API", team=team)

    response = client_logged_in.post(
        "/integrations/new/", form_data(team, severity=severity, service=service)
    )

    assert response.status_code == 400
    assert words in error_beside(response.content.decode(), field_id)
    assert not Integration.objects.exists()


def test_bad_rows_on_edit_keep_the_stored_maps(client_logged_in, make_integration, team):
    integration, _key = make_integration("generic", severity_map={"db-down": "SEV1"})
    data = form_data(team, name=integration.name, kind="generic", severity=[("db-down", "SEV7")])

    response = client_logged_in.post(f"/integrations/{integration.pk}/edit/", data)

    assert response.status_code == 400
    assert "Unknown severity SEV7" in error_beside(response.content.decode(), "id_severity-0-severity")
    integration.refresh_from_db()
    assert integration.severity_map == {"db-down": "SEV1"}


def test_a_duplicate_name_in_the_team_is_refused_beside_the_name(client_logged_in, team):
    services.integration_create(name="Prod Alertmanager", kind="alertmanager", team=team)

    response = client_logged_in.post(
        "/integrations/new/", form_data(team, name="  prod ALERTMANAGER ", severity=[("x", "SEV9")])
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "already has an integration named" in error_beside(content, "id_name")
    assert "Unknown severity SEV9" in error_beside(content, "id_severity-0-severity")  # shown together
    assert Integration.objects.count() == 1


def test_a_name_taken_between_the_form_check_and_the_save_is_409_beside_the_name(
    client_logged_in, team, monkeypatch
):
    from alerts import forms

    services.integration_create(name="Prod", kind="alertmanager", team=team)
    monkeypatch.setattr(
        forms.integrations, "integration_name_taken", lambda **kwargs: ""
    )  # the form saw none

    response = client_logged_in.post("/integrations/new/", form_data(team, name="prod"))

    assert response.status_code == 409
    assert "already has an integration named" in error_beside(response.content.decode(), "id_name")


def test_the_same_name_in_another_team_is_fine(client_logged_in, team):
    services.integration_create(name="Prod", kind="alertmanager", team=team)
    other = factories.team("Orders")

    response = client_logged_in.post("/integrations/new/", form_data(other, name="Prod"))

    assert response.status_code == 302
    assert Integration.objects.filter(name="Prod").count() == 2


def test_renaming_onto_another_integrations_name_is_refused(client_logged_in, team):
    services.integration_create(name="First", kind="generic", team=team)
    second, _key = services.integration_create(name="Second", kind="generic", team=team)

    response = client_logged_in.post(
        f"/integrations/{second.pk}/edit/", form_data(team, name="FIRST", kind="generic")
    )

    assert response.status_code == 400
    assert "already has an integration named" in error_beside(response.content.decode(), "id_name")
    second.refresh_from_db()
    assert second.name == "Second"


def test_grafana_secret_is_saved_kept_when_blank_and_removable(client_logged_in, team):
    client_logged_in.post("/integrations/new/", form_data(team, kind="grafana", hmac_secret=" s3cret "))
    integration = Integration.objects.get()
    assert integration.hmac_secret == "s3cret"
    edit_page = client_logged_in.get(f"/integrations/{integration.pk}/edit/").content.decode()
    assert "s3cret" not in edit_page  # never shown back

    client_logged_in.post(
        f"/integrations/{integration.pk}/edit/", form_data(team, kind="grafana", hmac_secret="")
    )
    integration.refresh_from_db()
    assert integration.hmac_secret == "s3cret"

    client_logged_in.post(
        f"/integrations/{integration.pk}/edit/", form_data(team, kind="grafana", clear_hmac_secret="on")
    )
    integration.refresh_from_db()
    assert integration.hmac_secret == ""


def test_fields_of_another_kind_posted_without_js_are_not_saved(client_logged_in, team):
    response = client_logged_in.post(
        "/integrations/new/", form_data(team, kind="alertmanager", hmac_secret="typed-while-grafana")
    )

    assert response.status_code == 302
    assert Integration.objects.get().hmac_secret == ""


def test_cloudwatch_verification_can_be_turned_off_and_on(client_logged_in, team):
    client_logged_in.post("/integrations/new/", form_data(team, kind="cloudwatch"))  # unchecked box: off
    integration = Integration.objects.get()
    assert integration.verify_sns_signatures is False

    client_logged_in.post(
        f"/integrations/{integration.pk}/edit/",
        form_data(team, kind="cloudwatch", verify_sns_signatures="on"),
    )
    integration.refresh_from_db()
    assert integration.verify_sns_signatures is True


def test_a_post_without_the_rule_rows_leaves_the_maps_as_they_are(client_logged_in, make_integration, team):
    integration, _key = make_integration("generic", severity_map={"db-down": "SEV1"})
    data = {k: v for k, v in form_data(team, kind="generic", name="Renamed").items() if "-" not in k}

    response = client_logged_in.post(f"/integrations/{integration.pk}/edit/", data)

    assert response.status_code == 302
    integration.refresh_from_db()
    assert (integration.name, integration.severity_map) == ("Renamed", {"db-down": "SEV1"})


HOSTILE = [
    {"kind": "nope"},
    {"team": "abc"},
    {"team": "999999"},
    {"name": "a\x00b"},
    {"name": "x" * 101},
    {"rate_limit_per_minute": "-1"},
    {"rate_limit_per_minute": "abc"},
    {"rate_limit_per_minute": "9" * 40},
    {"default_severity": "SEV0"},
    {"severity-TOTAL_FORMS": "abc"},
    {"severity-TOTAL_FORMS": "100000"},  # "Please submit at most 100 forms."
    {"service-0-value": "x", "service-0-service": "\x00"},
    {"service-TOTAL_FORMS": "5", "service-4-value": "v", "service-4-service": "' OR 1=1 --"},
]


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_input_is_a_4xx_never_a_5xx(client_logged_in, team, bad):
    response = client_logged_in.post("/integrations/new/", form_data(team) | bad)

    assert 400 <= response.status_code < 500
    assert not Integration.objects.exists()


@pytest.mark.parametrize("bad", [bad for bad in HOSTILE if "kind" not in bad])
def test_hostile_input_on_edit_is_a_4xx_never_a_5xx(client_logged_in, make_integration, team, bad):
    integration, _key = make_integration("generic")
    before = Integration.objects.values().get(pk=integration.pk)

    response = client_logged_in.post(
        f"/integrations/{integration.pk}/edit/", form_data(team, kind="generic") | bad
    )

    assert 400 <= response.status_code < 500
    assert Integration.objects.values().get(pk=integration.pk) == before


def test_edit_of_an_unknown_integration_is_404(client_logged_in):
    assert client_logged_in.get("/integrations/999999/edit/").status_code == 404


def test_edit_page_queries_do_not_grow_with_the_rows(
    client_logged_in, make_integration, team, django_assert_max_num_queries
):
    for i in range(5):
        factories.service(f"Service {i}", team=team)
    integration, _key = make_integration(
        "generic", service_map={f"v{i}": f"service-{i}" for i in range(5)}, severity_map={"a": "SEV1"}
    )

    with django_assert_max_num_queries(12):
        response = client_logged_in.get(f"/integrations/{integration.pk}/edit/")

    assert response.status_code == 200
    assert len(response.context["service_rules"].forms) == 8  # 5 rules and 3 empty rows


def test_a_kind_posted_on_edit_changes_nothing(client_logged_in, make_integration, team):
    integration, _key = make_integration("generic")

    response = client_logged_in.post(f"/integrations/{integration.pk}/edit/", form_data(team, kind="grafana"))

    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.kind == "generic"


def _raw_post(client, team, name: bytes):
    body = "&".join(f"{key}={value}" for key, value in form_data(team).items() if key != "name").encode()
    return client.post(
        "/integrations/new/", data=body + b"&name=" + name, content_type="application/x-www-form-urlencoded"
    )


@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"%FF%FE"])
def test_bytes_that_are_not_utf8_are_stored_replaced_never_a_5xx(client_logged_in, team, raw):
    response = _raw_post(client_logged_in, team, b"Prod" + raw)

    assert response.status_code == 302
    assert Integration.objects.get().name.startswith("Prod\ufffd")


def test_a_nul_byte_in_a_raw_post_is_a_400(client_logged_in, team):
    response = _raw_post(client_logged_in, team, b"Prod%00")

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not Integration.objects.exists()
