"""`manage.py seed_demo`, what `make run` loads: incidents, alerts, COEs and the weekly figures, once."""

import pytest
from django.core.management import CommandError, call_command

from coe.models import Coe, CoeState
from incidents.models import Incident
from metrics.models import Scope, WeeklyAggregate

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_everything_once(capsys):
    call_command("seed_demo", "--password", "demo-password-1")

    incidents, coes = Incident.objects.count(), Coe.objects.count()
    assert incidents >= 40
    assert coes >= 10
    assert Coe.objects.filter(state=CoeState.APPROVED).exists()
    assert Coe.objects.exclude(state=CoeState.APPROVED).exists()  # the newest still being written
    assert WeeklyAggregate.objects.filter(scope=Scope.ALL).count() >= 12  # the weekly review has data
    assert "log in as demo / demo-password-1" in capsys.readouterr().out

    call_command("seed_demo", "--password", "demo-password-1")

    assert (Incident.objects.count(), Coe.objects.count()) == (incidents, coes)
    assert "nothing added" in capsys.readouterr().out


def test_seed_demo_refuses_the_known_password_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="well-known demo password"):
        call_command("seed_demo")
