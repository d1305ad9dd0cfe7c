"""The Celery app and the one beat schedule of the project.

With REDIS_URL unset (the embedded default) every task runs eagerly in-process.
Periodic entries added here must carry a one-line comment and fan out with jitter (see STYLE.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("cornerstone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The only beat schedule. Empty until the workers issue (#5) adds metrics and reminder sweeps.
app.conf.beat_schedule = {}
