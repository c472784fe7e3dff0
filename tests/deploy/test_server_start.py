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


COLLECTIONS_PROBE = """
import gc, sys, time, weakref, config.asgi

class Socket:  # a closed connection's objects: a reference cycle
    def __init__(self):
        self.me = self
        self.frames = [[n] for n in range(100)]  # lists: always tracked

held = [Socket() for _ in range(1_000)]
gc.collect()
walked_after = len(gc.get_objects(generation=2))
one = weakref.ref(held[0])
del held
gc.collect()
kept_until_thaw = one() is not None
time.sleep(float(sys.argv[1]) + 0.2)
gc.collect()
print(walked_after, kept_until_thaw, one() is None)
"""


def collect_in_server(thaw_seconds: float, settings: str = "config.settings") -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", COLLECTIONS_PROBE, str(thaw_seconds)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "GC_THAW_SECONDS": str(thaw_seconds),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_a_full_collection_walks_only_what_was_made_since_the_last_one_and_a_thaw_frees_the_rest():
    walked_after, kept_until_thaw, freed_after_thaw = collect_in_server(3)

    # 1,000 sockets' ~102,000 tracked objects survived a full collection: frozen, not walked again.
    assert int(walked_after) < 1_000
    # Closed, their cycles wait for the thaw (config/heap.py), then are freed.
    assert kept_until_thaw == "True"
    assert freed_after_thaw == "True"


def test_the_test_settings_collect_as_python_does():
    walked_after, kept_until_thaw, freed_after_thaw = collect_in_server(0, "config.test_settings")

    assert int(walked_after) > 100_000
    assert (kept_until_thaw, freed_after_thaw) == ("False", "True")
