"""Shared scenes for the minutes tests: the sample meeting rendered once, its two signers."""

import shutil
import subprocess
import tempfile
from functools import cache

import pytest

from minutes import rendering
from tests.factories import MemberFactory
from tests.minutes import samples


@cache
def rendered_sample() -> rendering.RenderedPdf:
    return rendering.render_minutes(samples.sample_minutes())


@pytest.fixture(scope="session")
def sample_pdf() -> rendering.RenderedPdf:
    return rendered_sample()


@pytest.fixture
def chair(db):
    return MemberFactory(full_name=samples.CHAIR.name)


@pytest.fixture
def recorder(db):
    return MemberFactory(full_name=samples.RECORDER.name)


def poppler(tool: str, *args: str, stdin: bytes | None = None) -> str:
    """Runs a poppler-utils tool (Debian poppler-utils) and returns its output."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install the Debian package poppler-utils")
    result = subprocess.run(
        [tool, *args], input=stdin, capture_output=True, check=False, timeout=60
    )
    return result.stdout.decode("utf-8") + result.stderr.decode("utf-8")


def poppler_file(tool: str, pdf: bytes) -> str:
    """For tools that read a file, not stdin (pdfsig)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return poppler(tool, handle.name)


@pytest.fixture(autouse=True)
def celery_eager(celery_eager):
    """The render task runs in-process even when REDIS_URL points Celery at a real broker."""
    return celery_eager
