import pytest

from tests.meetings.room.conftest import build_scene


@pytest.fixture
def scene(db):
    return build_scene()
