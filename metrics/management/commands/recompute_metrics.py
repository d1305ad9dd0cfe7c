"""Rebuild the weekly metrics from `--since` to `--until` (default: the current week), week by week,
with a progress bar on stderr, then print the totals. Idempotent: run it as often as you like."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics import services, weeks


def _day(value: str) -> date:
    """A date (2026-01-01) or an ISO week (2026-W01, its Monday)."""
    if "W" in value.upper():
        try:
            return weeks.week_parse(value.upper())
        except weeks.InvalidWeek as exc:
            raise CommandError(exc.message) from None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is neither a date (2026-01-01) nor an ISO week (2026-W01).") from None


class ProgressBar:
    """`[#####-----]  12/52 2026-W12` redrawn in place on a terminal, one line per 10% otherwise."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int, week: date) -> None:
        filled = self.WIDTH * done // total if total else self.WIDTH
        line = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {done:>4}/{total} {weeks.week_format(week)}"
        if self.tty:
            self.stream.write(f"\r{line}" + ("\n" if done == total else ""))
        elif (tenth := 10 * done // total) != self.last_tenth or done == total:
            self.last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Recompute the weekly metrics (and stale incident rows) week by week since a date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", required=True, help="First day or ISO week, e.g. 2026-01-01 or 2026-W01."
        )
        parser.add_argument(
            "--until", help="Last day or ISO week (default: today; never past the current week)."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, since: str, until: str | None, quiet: bool, **options):
        first = _day(since)
        last = _day(until) if until else None
        if last is not None and last < first:
            raise CommandError(f"--until ({last}) is before --since ({first}).")
        progress = None if quiet else ProgressBar(getattr(self.stderr, "_out", sys.stderr))
        result = services.history_recompute(since=first, until=last, progress=progress)
        self.stdout.write(
            f"Recomputed {result.weeks} week(s): {result.rows} aggregate row(s), "
            f"{result.incidents} incident(s), in {result.seconds:.2f} s."
        )
