"""Every write to a COE, by entity: its document (`documents`: start, sections and their revisions,
contributing factors, dismissed findings), its review (`review`: submit, decide, reopen), its action
items (`items`) and the comment threads on its sections (`comments`).

Import the package, as the rest of the project does (`from coe import services`, then
`services.coe_start(...)`); the names below are its whole interface. Comments are their own module:
`from coe.services import comments`, then `comments.comment_add(...)`.
"""

from coe.sections import section_written
from coe.services.documents import (
    MAX_WHYS,
    SectionConflict,
    coe_can_edit,
    coe_overdue,
    coe_section_restore,
    coe_section_save,
    coe_start,
    factor_delete,
    factor_save,
    finding_dismiss,
)
from coe.services.items import FOLLOW_THROUGH_FIELDS, action_item_save
from coe.services.review import (
    coe_can_reopen,
    coe_reopen,
    coe_review,
    coe_submit,
    submission_problems,
)

__all__ = [
    "FOLLOW_THROUGH_FIELDS",
    "MAX_WHYS",
    "SectionConflict",
    "action_item_save",
    "coe_can_edit",
    "coe_can_reopen",
    "coe_overdue",
    "coe_reopen",
    "coe_review",
    "coe_section_restore",
    "coe_section_save",
    "coe_start",
    "coe_submit",
    "factor_delete",
    "factor_save",
    "finding_dismiss",
    "section_written",
    "submission_problems",
]
