import pytest

from tests.media_engine import start_media_engine


@pytest.fixture(scope="session")
def media_engine():
    running = start_media_engine()
    yield running
    running.stop()


@pytest.fixture
def media_settings(settings, media_engine):
    for name, value in media_engine.settings().items():
        setattr(settings, name, value)
    return settings
