"""Run the periodic jobs of the beat schedule now, in this process.

In the embedded default there is no beat and no worker: tasks run eagerly, and this command is how the
periodic work (sweeps, metrics, reminders, the digest) runs. `--every 60` repeats until interrupted.
The Celery app is `celery.current_app` (config/__init__.py creates it), so core imports nothing of config.
"""

import time

from celery import current_app as app
from django.core.management.base import BaseCommand, CommandError


def _target(entry: dict) -> str:
    # Entries go through core.tasks.run_jittered(task_name, ...); run the real task directly.
    return entry["args"][0] if entry["task"] == "core.tasks.run_jittered" else entry["task"]


class Command(BaseCommand):
    help = "Run the beat schedule's periodic jobs once (or every N seconds), in this process."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Schedule entry names (default: all).")
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds.")
        parser.add_argument("--list", action="store_true", dest="show", help="List the jobs and exit.")

    def handle(self, *args, jobs, every, show, **options):
        schedule = app.conf.beat_schedule
        if show:
            for name, entry in schedule.items():
                self.stdout.write(f"{name}: {_target(entry)} ({entry['schedule']})")
            return
        unknown = sorted(set(jobs) - set(schedule))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. See --list.")
        names = jobs or list(schedule)
        app.loader.import_default_modules()  # registers every app's tasks (a worker does it at start)
        while True:
            for name in names:
                task_name = _target(schedule[name])
                started = time.monotonic()
                app.tasks[task_name].apply(throw=True)
                self.stdout.write(f"{name}: done in {time.monotonic() - started:.2f} s")
            if not every:
                return
            time.sleep(every)
