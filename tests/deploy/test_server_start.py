"""What the server process does when it loads the application (config/asgi.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit

PROBE = (
    "import gc, sys, config.asgi; "
    "print(gc.get_freeze_count(), 'minutes.review.views' in sys.modules)"
)


def load_application(settings: str) -> tuple[int, bool]:
    """Import the ASGI application as daphne does, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, views = result.stdout.split()
    return int(frozen), views == "True"


def test_the_server_freezes_what_it_loaded_at_start_up_views_included():
    frozen, views_loaded = load_application("config.settings")

    assert frozen > 50_000  # Django and the apps: about 200,000 objects
    assert views_loaded


def test_the_test_settings_leave_the_collector_alone():
    frozen, _ = load_application("config.test_settings")

    assert frozen == 0
