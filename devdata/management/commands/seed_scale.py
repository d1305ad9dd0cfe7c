"""Realistic history at scale: `manage.py seed_scale --incidents 100000` (see devdata/scale.py)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from core import consumers
from core.progress import ProgressBar
from devdata import scale
from metrics import services as metrics_services


class Command(BaseCommand):
    help = (
        "Add N incidents over the last two years, with timelines, COEs and action items, then compute "
        "their metrics. Each run adds more; for benchmarks and big-install trials, not production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=100_000)
        parser.add_argument("--weeks", type=int, default=104, help="How far back, in weeks (default 104).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (same seed, same history).")
        parser.add_argument("--no-metrics", action="store_true", help="Skip the metrics recompute.")

    def handle(self, *args, incidents, weeks, seed, no_metrics, **options):
        if incidents < 1:
            raise CommandError("--incidents must be at least 1.")
        if not 1 <= weeks <= 520:
            raise CommandError("--weeks must be between 1 and 520.")
        now = timezone.now()
        bar = ProgressBar(incidents, "incidents")
        totals = scale.seed(incidents=incidents, now=now, weeks=weeks, seed=seed, progress=bar.update)
        seconds = bar.finish()
        self.stdout.write(f"Wrote {totals.as_text()} in {seconds:.1f} s.")
        # The history was written in bulk, not through the services: the consumers must not replay
        # it (the metrics are computed below; webhooks must not hear of two years of incidents).
        consumers.cursors_skip_to_newest()
        if connection.vendor == "postgresql":
            # After a bulk load, statistics and the visibility map (index-only scans) are stale until
            # autovacuum comes by: do its work now, so the figures measured are those of a live install.
            with connection.cursor() as cursor:  # VACUUM cannot run inside a transaction (tests)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        if no_metrics:
            return
        since = (now - timedelta(weeks=weeks + 1)).date()
        bar = ProgressBar(0, "weeks")

        def progress(done: int, total: int, week) -> None:
            bar.total = total
            bar.update(done)

        result = metrics_services.history_recompute(since=since, until=now.date(), progress=progress)
        bar.finish()
        self.stdout.write(
            f"Computed the metrics of {result.incidents:,} incidents over {result.weeks} weeks "
            f"in {result.seconds:.1f} s."
        )
