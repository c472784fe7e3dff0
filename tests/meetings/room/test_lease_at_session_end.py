"""A test session whose tests held room connections in-process ends cleanly: this process's
presence lease is released while the test database still exists (tests/conftest.py), not by the
exit handler after pytest-django has dropped it, which failed ("relation
meetings_presencelease does not exist") and then wrote to a stream pytest had closed ("---
Logging error ---")."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

HOLDER = Path(__file__).with_name("lease_holder.py")


def test_a_session_that_held_a_lease_ends_without_an_error_at_exit():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HOLDER), "-p", "no:cacheprovider", "-q"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr

    assert done.returncode == 0, output
    assert "1 passed" in done.stdout, output
    assert "Logging error" not in output
    assert "presencelease" not in output
