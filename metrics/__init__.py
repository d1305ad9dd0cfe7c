"""Resilience metrics: per-incident durations and weekly aggregates (counts, means, p50/p90, max).

It stands apart from `incidents` and `coe` because everything in it is derived: rows are computed by
the workers from incidents, COEs and action items, upserted, and can be rebuilt at any time
(`manage.py recompute_metrics`). Nothing else writes here, and losing these tables loses no data.
"""
