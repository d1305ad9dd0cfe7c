"""The COE due-date and approval policy (coe/policy.py): pure, no database.

Dates are chosen by weekday: 2025-01-03 is a Friday, 2025-01-04 a Saturday, 2025-01-05 a Sunday.
"""

from datetime import date

import pytest

from coe import policy

FRIDAY = date(2025, 1, 3)
SATURDAY = date(2025, 1, 4)
SUNDAY = date(2025, 1, 5)
MONDAY = date(2025, 1, 6)
WEDNESDAY = date(2025, 1, 8)


def test_the_reference_dates_fall_on_the_weekdays_they_are_named_after():
    assert [d.strftime("%a") for d in (FRIDAY, SATURDAY, SUNDAY, MONDAY, WEDNESDAY)] == [
        "Fri",
        "Sat",
        "Sun",
        "Mon",
        "Wed",
    ]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(MONDAY, 1, date(2025, 1, 7), id="monday+1-is-tuesday"),
        pytest.param(WEDNESDAY, 2, date(2025, 1, 10), id="wednesday+2-is-friday"),
        pytest.param(FRIDAY, 1, MONDAY, id="friday+1-skips-the-weekend"),
        pytest.param(SATURDAY, 1, MONDAY, id="saturday+1-is-monday"),
        pytest.param(SUNDAY, 1, MONDAY, id="sunday+1-is-monday"),
        pytest.param(WEDNESDAY, 3, date(2025, 1, 13), id="wednesday+3-crosses-a-weekend"),
        pytest.param(FRIDAY, 5, date(2025, 1, 10), id="friday+5-is-next-friday"),
        pytest.param(SATURDAY, 5, date(2025, 1, 10), id="saturday+5-is-next-friday"),
        pytest.param(FRIDAY, 10, date(2025, 1, 17), id="friday+10-crosses-two-weekends"),
        pytest.param(date(2024, 12, 30), 5, date(2025, 1, 6), id="across-the-new-year"),
        pytest.param(date(2024, 2, 28), 2, date(2024, 3, 1), id="across-a-leap-day"),
    ],
)
def test_add_business_days_counts_only_monday_to_friday(start, days, expected):
    assert policy.add_business_days(start, days) == expected


@pytest.mark.parametrize("start", [FRIDAY, SATURDAY, SUNDAY])
def test_add_business_days_zero_days_is_the_start_itself(start):
    assert policy.add_business_days(start, 0) == start


@pytest.mark.parametrize("start", [MONDAY, FRIDAY, SATURDAY, SUNDAY])
@pytest.mark.parametrize("days", [1, 3, 5, 10, 23])
def test_add_business_days_never_lands_on_a_weekend(start, days):
    assert policy.add_business_days(start, days).weekday() < 5


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        pytest.param("SEV1", date(2025, 1, 10), id="SEV1-5-days"),
        pytest.param("SEV2", date(2025, 1, 10), id="SEV2-5-days"),
        pytest.param("SEV3", date(2025, 1, 17), id="SEV3-10-days"),
        pytest.param("SEV4", None, id="SEV4-no-due-date"),
    ],
)
def test_due_on_follows_the_severity(severity, expected):
    assert policy.due_on(severity=severity, recovered_on=FRIDAY) == expected


def test_due_on_counts_from_a_weekend_recovery_as_from_the_next_monday():
    assert policy.due_on(severity="SEV1", recovered_on=SUNDAY) == date(2025, 1, 10)
    assert policy.due_on(severity="SEV3", recovered_on=SATURDAY) == date(2025, 1, 17)


def test_due_on_an_unknown_severity_has_no_due_date():
    assert policy.due_on(severity="SEV9", recovered_on=MONDAY) is None


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("SEV1", 2), ("SEV2", 1), ("SEV3", 1), ("SEV4", 1), ("SEV9", 1)],
)
def test_approvals_required_is_two_for_sev1_and_one_otherwise(severity, expected):
    assert policy.approvals_required(severity) == expected
