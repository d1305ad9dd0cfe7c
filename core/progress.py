"""A small progress bar for management commands (stderr, redrawn in place; no dependency)."""

import sys
import time
from typing import TextIO


class ProgressBar:
    """`bar = ProgressBar(total, label)`, then `bar.update(done)` as often as you like (it redraws at
    most ten times a second) and `bar.finish()`. On a non-terminal it prints a line every 10%."""

    WIDTH = 30

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._last_decile = -1
        self._tty = self.stream.isatty()

    def update(self, done: int) -> None:
        fraction = 1.0 if self.total == 0 else min(done / self.total, 1.0)
        if self._tty:
            now = time.monotonic()
            if now - self._drawn_at < 0.1 and done < self.total:
                return
            self._drawn_at = now
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {done:,}/{self.total:,} {self._eta(fraction)}")
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile > self._last_decile:
            self._last_decile = decile
            self.stream.write(f"{self.label}: {done:,}/{self.total:,} ({decile * 10}%)\n")

    def finish(self) -> float:
        """Draw the full bar and end the line; returns the seconds it took."""
        self.update(self.total)
        if self._tty:
            self.stream.write("\n")
        return time.monotonic() - self.started

    def _eta(self, fraction: float) -> str:
        elapsed = time.monotonic() - self.started
        if fraction <= 0 or fraction >= 1:
            return f"{elapsed:.0f} s"
        return f"{elapsed:.0f} s, about {elapsed * (1 - fraction) / fraction:.0f} s left"
