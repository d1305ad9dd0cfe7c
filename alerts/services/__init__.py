"""Every write of the alerts app, as a package with explicit re-exports.

- integrations: create, rotate key, enable/disable, look up by key
- intake: what the HTTP endpoint does before answering (decode, authenticate, parse, store)
- processing: what workers do with stored deliveries (alerts, groups, incidents)
"""

from alerts.services.intake import Received, Rejected, Unauthorized, delivery_receive
from alerts.services.integrations import (
    hash_key,
    integration_create,
    integration_for_key,
    integration_rotate_key,
    integration_set_enabled,
    integration_update,
)
from alerts.services.processing import (
    SignalOutcome,
    deliveries_process,
    delivery_process,
    resolved_identities_sweep,
    signal_apply,
)

__all__ = [
    "Received",
    "Rejected",
    "SignalOutcome",
    "Unauthorized",
    "deliveries_process",
    "delivery_process",
    "delivery_receive",
    "hash_key",
    "integration_create",
    "integration_for_key",
    "integration_rotate_key",
    "integration_set_enabled",
    "integration_update",
    "resolved_identities_sweep",
    "signal_apply",
]
