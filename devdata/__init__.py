"""Development data: the demo that `make run` loads (`manage.py seed_demo`) and the 100,000-incident
history for benchmarks and big-install trials (`manage.py seed_scale`).

It stands apart because it writes every app's data together (teams and incidents, integrations and
alerts, COEs, the weekly figures): it may depend on every other app, and nothing depends on it, so no
domain app learns of another through its demo. `demo/` goes through the real services (the demo obeys
every rule a real incident does); `scale.py` bulk-inserts rows built to satisfy the same constraints.
"""
