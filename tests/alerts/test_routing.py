"""alerts/routing.py: severity and service from labels, table-driven, without a database."""

import pytest

from alerts import routing

# (what the tool sent, what a user expects)
BUILTIN = [
    ("SEV1", "SEV1"),
    ("sev1", "SEV1"),
    ("Sev 2", "SEV2"),
    ("sev-3", "SEV3"),
    ("SEV_4", "SEV4"),
    ("severity 2", "SEV2"),
    ("SEV0", "SEV1"),
    ("  SEV3  ", "SEV3"),
    ("P1", "SEV1"),
    ("p2", "SEV2"),
    ("P3", "SEV3"),
    ("P4", "SEV4"),
    ("P5", "SEV4"),
    ("p-1", "SEV1"),
    ("Priority 2", "SEV2"),
    ("P1 - Critical", "SEV1"),
    ("critical", "SEV1"),
    ("CRITICAL", "SEV1"),
    ("Disaster", "SEV1"),
    ("page", "SEV1"),
    ("fatal", "SEV1"),
    ("high", "SEV2"),
    ("High", "SEV2"),
    ("error", "SEV2"),
    ("major", "SEV2"),
    ("warning", "SEV3"),
    ("Warn", "SEV3"),
    ("medium", "SEV3"),
    ("Average", "SEV3"),
    ("minor", "SEV3"),
    ("info", "SEV4"),
    ("Information", "SEV4"),
    ("low", "SEV4"),
    ("notice", "SEV4"),
    ("Not classified", "SEV4"),
]

# Values that mean nothing we know: the integration's default applies.
UNKNOWN = ["", "   ", "banana", "SEV9", "P6", "p10", "sev12", "priority", "sev", "P1.5", "success"]


@pytest.mark.parametrize(("value", "expected"), BUILTIN)
def test_severity_label_with_a_tool_word_maps_as_a_user_expects(value, expected):
    severity = routing.severity_for(
        labels={"severity": value}, tool_severity="", label="severity", mapping={}, default="SEV3"
    )

    assert severity == expected


@pytest.mark.parametrize(("value", "expected"), BUILTIN)
def test_tool_severity_word_without_a_label_maps_the_same(value, expected):
    severity = routing.severity_for(
        labels={}, tool_severity=value, label="severity", mapping={}, default="SEV3"
    )

    assert severity == expected


@pytest.mark.parametrize("value", UNKNOWN)
def test_unknown_word_falls_back_to_the_integration_default(value):
    severity = routing.severity_for(
        labels={"severity": value}, tool_severity="", label="severity", mapping={}, default="SEV2"
    )

    assert severity == "SEV2"
    assert routing.severity_word(value) is None


# (the integration's map, the label value sent, the severity expected)
MAPPED = [
    ({"critical": "SEV2"}, "critical", "SEV2"),  # the map wins over the built-in meaning
    ({"critical": "SEV2"}, "CRITICAL", "SEV2"),  # case-insensitive
    ({"Critical": "SEV2"}, "critical", "SEV2"),
    ({"  db-down ": "SEV1"}, "DB-Down", "SEV1"),  # surrounding whitespace ignored on both sides
    ({"db-down": "SEV1"}, "  db-down\t", "SEV1"),
    ({"P3": "SEV2"}, "p3", "SEV2"),
    ({"noise": "SEV4"}, "warning", "SEV3"),  # not in the map: the built-in meaning
    ({"noise": "SEV4"}, "banana", "SEV3"),  # neither: the default
]


@pytest.mark.parametrize(("mapping", "value", "expected"), MAPPED)
def test_integration_map_wins_matched_case_insensitively(mapping, value, expected):
    severity = routing.severity_for(
        labels={"severity": value}, tool_severity="", label="severity", mapping=mapping, default="SEV3"
    )

    assert severity == expected


def test_a_label_the_map_does_not_know_falls_back_to_the_tool_severity():
    # Datadog: the tags carry severity:unknown-word, the monitor's priority is P1.
    severity = routing.severity_for(
        labels={"severity": "whatever"}, tool_severity="P1", label="severity", mapping={}, default="SEV4"
    )

    assert severity == "SEV1"


def test_the_label_comes_before_the_tool_severity():
    severity = routing.severity_for(
        labels={"severity": "info"}, tool_severity="critical", label="severity", mapping={}, default="SEV3"
    )

    assert severity == "SEV4"


def test_the_map_applies_to_the_tool_severity_too():
    severity = routing.severity_for(
        labels={}, tool_severity=" Error ", label="severity", mapping={"error": "SEV1"}, default="SEV3"
    )

    assert severity == "SEV1"


def test_a_custom_severity_label_is_read_and_its_case_does_not_matter():
    severity = routing.severity_for(
        labels={"Priority": "P2", "severity": "info"},
        tool_severity="",
        label="priority",
        mapping={},
        default="SEV3",
    )

    assert severity == "SEV2"


# (the integration's service map, the label value, the slug expected)
SERVICES = [
    ({}, "checkout-api", "checkout-api"),  # no map: the value is the slug
    ({"payments": "payments-api"}, "payments", "payments-api"),
    ({"payments": "payments-api"}, " PAYMENTS ", "payments-api"),  # case-insensitive, trimmed
    ({"Payments": "payments-api"}, "payments", "payments-api"),
    ({"payments": "payments-api"}, "orders", "orders"),
    ({"payments": "payments-api"}, "", None),
    ({"payments": "payments-api"}, "   ", None),
]


@pytest.mark.parametrize(("mapping", "value", "expected"), SERVICES)
def test_service_label_maps_through_the_integration_rules(mapping, value, expected):
    slug = routing.service_slug_for(labels={"service": value}, label="service", mapping=mapping)

    assert slug == expected


def test_service_without_the_label_is_none():
    assert routing.service_slug_for(labels={"env": "prod"}, label="service", mapping={"x": "y"}) is None


@pytest.mark.parametrize(
    ("value", "folded"), [("  Db  Down ", "db down"), ("CRITICAL", "critical"), ("", ""), (None, "")]
)
def test_fold_trims_collapses_and_casefolds(value, folded):
    assert routing.fold(value) == folded
