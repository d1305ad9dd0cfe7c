"""The sample alert bodies the adapter and ingestion tests replay, kept in the repository
(tests/fixtures/payloads/, a copy of the project's shared developer set with its README), so a fresh
clone runs every case and no test skips for a missing folder."""

import json
from pathlib import Path

PAYLOADS = Path(__file__).resolve().parent / "fixtures" / "payloads"


def raw(name: str) -> bytes:
    """A sample body, byte for byte as the tool sends it (e.g. "alertmanager/firing.json")."""
    return (PAYLOADS / name).read_bytes()


def decoded(name: str):
    """A sample body, decoded from JSON."""
    return json.loads(raw(name))
