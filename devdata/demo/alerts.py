"""Demo integrations for the embedded default: an Alertmanager integration that has opened two
incidents through the real intake (one still firing, one that resolved by itself), so the alert
pages have something real to show. Idempotent: nothing is added once an integration exists."""

import json
from datetime import datetime, timedelta

from alerts import services
from alerts.models import Integration
from incidents.models import Team


def _alertmanager_body(
    *, status: str, name: str, fingerprint: str, starts: datetime, ends: datetime | None
) -> bytes:
    alert = {
        "status": status,
        "labels": {"alertname": name, "service": "orders-db", "severity": "warning", "env": "production"},
        "annotations": {
            "summary": f"{name} on orders-db",
            "runbook_url": "https://runbooks.example.internal/orders",
        },
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
        "endsAt": ends.isoformat().replace("+00:00", "Z") if ends else "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint,
        "generatorURL": "http://prometheus.example.internal/graph",
    }
    return json.dumps(
        {
            "version": "4",
            "status": status,
            "receiver": "cornerstone",
            "groupKey": f'{{}}:{{alertname="{name}"}}',
            "alerts": [alert],
            "truncatedAlerts": 0,
        }
    ).encode()


def load(*, now: datetime) -> int:
    """Returns how many deliveries were sent (0 when an integration already exists)."""
    team = Team.objects.filter(name="Platform").first()
    if team is None or Integration.objects.exists():
        return 0
    integration, _key = services.integration_create(
        name="Prometheus (demo)", kind="alertmanager", team=team, severity_map={"warning": "SEV3"}
    )
    firing_start = now - timedelta(minutes=12)
    flapping_start = now - timedelta(hours=5)
    bodies = [
        _alertmanager_body(
            status="firing",
            name="OrdersDbConnectionsHigh",
            fingerprint="a1b2c3d4e5f60718",
            starts=firing_start,
            ends=None,
        ),
        _alertmanager_body(
            status="firing",
            name="OrdersDbCheckpointSlow",
            fingerprint="0f1e2d3c4b5a6978",
            starts=flapping_start,
            ends=None,
        ),
        _alertmanager_body(
            status="resolved",
            name="OrdersDbCheckpointSlow",
            fingerprint="0f1e2d3c4b5a6978",
            starts=flapping_start,
            ends=flapping_start + timedelta(minutes=4),
        ),
    ]
    for body in bodies:
        services.delivery_receive(
            integration=integration, body=body, headers={"Content-Type": "application/json"}
        )
    services.deliveries_process()
    return len(bodies)
