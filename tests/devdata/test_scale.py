"""`seed_scale`: realistic history in bulk, every row within the constraints the services keep."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from coe.models import ActionItem, Coe, CoeState
from core import consumers
from incidents.models import Incident, IncidentEvent, Status
from incidents.phases import current_phase
from metrics.models import IncidentMetric

pytestmark = pytest.mark.django_db


def test_seed_scale_writes_incidents_with_timelines_coes_and_metrics(capsys):
    call_command("seed_scale", "--incidents", "300", "--weeks", "8", "--seed", "5")

    assert Incident.objects.count() == 300
    events = IncidentEvent.objects.count()
    assert 6 * 300 <= events <= 14 * 300  # about ten per incident
    assert IncidentMetric.objects.count() == 300
    for incident in Incident.objects.all():
        resolved = incident.status == Status.RESOLVED
        assert (current_phase(incident.stamps) is None) == resolved
        assert incident.version == incident.events.count()
    coes = Coe.objects.select_related("incident")
    assert coes.exists()
    assert all(coe.incident.severity != "SEV4" and coe.incident.status == Status.RESOLVED for coe in coes)
    assert all(coe.approved_at for coe in coes.filter(state=CoeState.APPROVED))
    per_coe = ActionItem.objects.values("coe").annotate(n=Count("id")).values_list("n", flat=True)
    assert min(per_coe) >= 3
    oldest = Incident.objects.order_by("started_at").first().started_at
    assert Incident.objects.order_by("-started_at").first().started_at - oldest <= timedelta(weeks=8)
    assert "Wrote 300 incidents" in capsys.readouterr().out
    for consumer in consumers.registered():  # the bulk history is not replayed to the consumers
        assert consumers.consumer_lag(name=consumer.name).events == 0


def test_seed_scale_is_deterministic_for_a_seed():
    call_command("seed_scale", "--incidents", "20", "--seed", "9", "--no-metrics")
    first = list(Incident.objects.order_by("id").values_list("title", "severity", "status"))
    Coe.objects.all().delete()  # first: a COE protects its incident
    Incident.objects.all().delete()
    call_command("seed_scale", "--incidents", "20", "--seed", "9", "--no-metrics")

    assert list(Incident.objects.order_by("id").values_list("title", "severity", "status")) == first


@pytest.mark.parametrize(
    ("args", "message"), [(["--incidents", "0"], "at least 1"), (["--weeks", "0"], "between")]
)
def test_seed_scale_rejects_bad_sizes(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_scale", *args)
