import sys


def pytest_terminal_summary(terminalreporter):
    """The schemathesis figures (operations and requests), when its test ran."""
    module = sys.modules.get("tests.api.test_schemathesis")
    if module is not None and module.SENT:
        answered = ", ".join(f"{name}: {count}" for name, count in sorted(module.ANSWERED.items()))
        terminalreporter.write_line(
            f"schemathesis: {len(module.SENT)} operations, {sum(module.SENT.values())} requests ({answered})"
        )
