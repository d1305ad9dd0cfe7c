"""Fixtures shared by the service and selector tests (test_services*.py, test_selectors.py).

test_views_detail.py defines its own `incident` (impact an hour before detection) and `resolved`
(factories.advance), which override these for its tests.
"""

import pytest

from tests import factories
from tests.incidents.helpers import advance_to


@pytest.fixture
def incident(user, team, service):
    """Declared from the web two hours ago, now in evaluate."""
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


@pytest.fixture
def resolved(incident, user):
    """Each phase ended STEP after the previous one."""
    return advance_to(incident, None, actor=user)
