"""One pure parser per tool, and the explicit registry that maps an integration kind to it.

Each module's docstring names the vendor's spec, the alert identity (dedup key), the grouping key
and how "resolved" is signalled. See base.py for what a parser returns.
"""

import importlib
from collections.abc import Callable

from alerts.adapters.base import Parsed

MODULES: dict[str, str] = {
    "alertmanager": "alerts.adapters.alertmanager",
    "grafana": "alerts.adapters.grafana",
    "pagerduty": "alerts.adapters.pagerduty",
    "cloudwatch": "alerts.adapters.cloudwatch",
    "datadog": "alerts.adapters.datadog",
    "generic": "alerts.adapters.generic",
}


def parser(kind: str) -> Callable[..., Parsed]:
    """The `parse` function of the adapter for `kind`."""
    return importlib.import_module(MODULES[kind]).parse
