"""Run the consumers of the event logs now, as a worker's pass would (core.consumers).

Tests run inside a transaction that never commits, so the doorbell that wakes the consumers after a
commit never rings; a test that wants the effects of the events it caused (webhook messages, metric
rows) asks for them with `drain()`, which runs passes until none handles anything (bounded).
"""

from core import consumers


def drain(*, passes: int = 20) -> int:
    handled = 0
    for _ in range(passes):
        results = consumers.consumers_run()
        done = sum(result.handled + result.retried + result.failed for result in results.values())
        handled += done
        if not done:
            return handled
    raise AssertionError(f"the consumers were still busy after {passes} passes")
