import sys


def pytest_terminal_summary(terminalreporter):
    """The schemathesis figures (operations and requests), when its test ran."""
    module = sys.modules.get("tests.api.test_schemathesis")
    if module is not None and module.SENT:
        terminalreporter.write_line(
            f"schemathesis: {len(module.SENT)} operations, {sum(module.SENT.values())} requests"
        )
