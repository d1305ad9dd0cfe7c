"""A task by its registered name, so a service can enqueue its app's task without importing `tasks`.

The tasks call the services, so a service importing its tasks module is a cycle (hidden, until now, by a
function-level import). Importing by name keeps the arrow one way, as import-linter's layers contract
checks (interfaces, tasks among them, above services): the task is found in Celery's registry, the same
object the tasks module defines, so `apply_async` behaves exactly as before (routing by name in
CELERY_TASK_ROUTES, eager execution in the embedded default, and a test's patch of the task applies).

A worker imports every app's tasks at start; a web process may not have yet, so a name not registered
yet makes Celery import the task modules (autodiscovery, as `run_periodic` does) before the lookup.
"""

from celery import Task, current_app
from django.conf import settings


def task(name: str) -> Task:
    """The registered task `name` ("alerts.tasks.deliveries_process"); KeyError if no app defines it."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def inline() -> bool:
    """Whether tasks run in the process that enqueues them (the embedded default: no broker, no
    worker). The one place the mode is read: the rest of the code enqueues the same way in both."""
    return settings.CELERY_TASK_ALWAYS_EAGER
