"""tests/conftest.py: a test whose fixtures reach the emulator is marked `integration`, so
`make test-unit` (`-m "not integration and not terraform"`) leaves it out without its module saying so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT = "not integration and not terraform"  # what `make test-unit` selects

# A stand-in for tests/conftest.py's fixtures: the same names and the same chain, nothing started.
CONFTEST = """
import pytest
from conftest_under_test import pytest_collection_modifyitems  # noqa: F401  (the hook under test)

@pytest.fixture(scope="session")
def emulator():
    raise AssertionError("collection never starts the emulator")

@pytest.fixture(scope="session")
def stack(emulator):
    return emulator

@pytest.fixture
def service_table(stack):
    return stack

@pytest.fixture
def devstack():
    raise AssertionError("collection never starts a dev stack")

@pytest.fixture
def make_event():
    return object()
"""

TESTS = """
def test_on_the_emulator(emulator): ...
def test_on_the_stack(stack): ...
def test_on_a_table_of_the_stack(service_table, make_event): ...
def test_on_the_dev_stack(devstack): ...
def test_without_aws(make_event, tmp_path): ...
"""


def test_a_test_reaching_the_emulator_through_any_fixture_is_marked_integration(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(conftest_under_test=(REPO / "tests" / "conftest.py").read_text())
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_chain=TESTS)
    pytester.makeini(
        "[pytest]\nmarkers =\n    integration: x\n    terraform: x\naddopts = --strict-markers\n"
    )
    pytester.syspathinsert()
    unit = pytester.runpytest("--collect-only", "-q", "-m", UNIT)
    integration = pytester.runpytest("--collect-only", "-q", "-m", "integration")
    assert [line for line in unit.outlines if "::" in line] == ["test_chain.py::test_without_aws"]
    assert [line for line in integration.outlines if "::" in line] == [
        "test_chain.py::test_on_the_emulator",
        "test_chain.py::test_on_the_stack",
        "test_chain.py::test_on_a_table_of_the_stack",
        "test_chain.py::test_on_the_dev_stack",
    ]


def test_the_suites_stack_tests_without_a_module_marker_are_left_out_of_the_unit_run() -> None:
    # tests/foyer/events/test_local_relays.py declares no marker; its tests use `service_table`.
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", UNIT,
         "tests/foyer/events/test_local_relays.py", "tests/bench/test_report.py"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert ids, collected.stdout + collected.stderr
    assert all(line.startswith("tests/bench/test_report.py::") for line in ids), ids
