import pytest

from tests.media_engine import EventCatcher, start_media_engine


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


@pytest.fixture
def janus_events(media_engine):
    """What Janus's event handler posts, caught on a port of the test's own."""
    catcher = EventCatcher()
    media_engine.send_events_to(catcher.url)
    yield catcher
    catcher.stop()
