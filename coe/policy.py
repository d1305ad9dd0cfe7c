"""When a COE is due, by severity: a pure policy (business days, Monday to Friday).

Default: SEV1 and SEV2 within 5 business days of recovery, SEV3 within 10, SEV4 optional (no due
date). Reviews needed to approve: 2 for SEV1, 1 otherwise.
"""

from datetime import date, timedelta

DUE_BUSINESS_DAYS: dict[str, int | None] = {"SEV1": 5, "SEV2": 5, "SEV3": 10, "SEV4": None}
APPROVALS_REQUIRED: dict[str, int] = {"SEV1": 2, "SEV2": 1, "SEV3": 1, "SEV4": 1}


def add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def due_on(*, severity: str, recovered_on: date) -> date | None:
    days = DUE_BUSINESS_DAYS.get(severity)
    return None if days is None else add_business_days(recovered_on, days)


def approvals_required(severity: str) -> int:
    return APPROVALS_REQUIRED.get(severity, 1)
