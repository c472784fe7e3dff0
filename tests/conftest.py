import contextlib
import os
import subprocess
import sys
import uuid

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import User
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.live import daphne_server  # noqa: F401 -- a fixture for every test module


def sign_in_verified(client: Client, user: User) -> Client:
    """Signs `user` in as if they had passed both factors."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped, this process's presence lease
    released. In-process consumer tests hold room connections under the lease, which registers
    an exit handler (meetings.leases) that releases them when a server stops. Left to run at the
    interpreter's exit, it ran after the test database was dropped ("relation
    meetings_presencelease does not exist") and logged to a stream pytest had already closed
    ("--- Logging error ---"). It runs here instead, while the database exists, and is
    unregistered; servers (and the Daphne processes tests start) keep theirs. The room's
    command threads (meetings.command_threads) end here too, each closing its own database
    connection: left open, they kept the test database from being dropped ("being accessed by
    other users"). So does the connection of asgiref's one thread for `sync_to_async` (the
    async tests' own reads run there, and nothing closes it after them)."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from meetings import command_threads, leases

    with django_db_blocker.unblock():
        leases.release_before_exit()
        command_threads.shutdown()
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def tree(db):
    """Two đảng bộ under one superior; the first has two cells, the second one.

    Returns a namespace of organisations and people with their roles.
    """
    from types import SimpleNamespace

    superior = OrganizationFactory(name="Đảng bộ cấp trên", level="superior")
    grassroots = OrganizationFactory(name="Đảng bộ A", parent=superior)
    sibling = OrganizationFactory(name="Đảng bộ B", parent=superior)
    cell = CellFactory(name="Chi bộ A1", parent=grassroots)
    neighbour_cell = CellFactory(name="Chi bộ A2", parent=grassroots)
    far_cell = CellFactory(name="Chi bộ B1", parent=sibling)
    secretary = CellRoleFactory(member__home_cell=cell).member
    member = MemberFactory(home_cell=cell)
    neighbour = MemberFactory(home_cell=neighbour_cell)
    far_member = MemberFactory(home_cell=far_cell)
    reviewer = CommitteeSeatFactory(
        organization=grassroots, member__home_cell=neighbour_cell
    ).member
    sibling_reviewer = CommitteeSeatFactory(organization=sibling, member__home_cell=far_cell).member
    member.user.totpdevice_set.create(name="totp", confirmed=True)
    return SimpleNamespace(**locals())


@pytest.fixture
def celery_eager():
    """Tasks run in-process even when REDIS_URL points Celery at a real broker."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


class RealWorker:
    """A Celery worker process on a queue of its own, sharing the test database."""

    def __init__(self, app, mail_dir) -> None:
        self.app = app
        self.queue = f"chibo-test-{uuid.uuid4().hex[:12]}"
        self.mail_dir = mail_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.output = ""

    @contextlib.contextmanager
    def through_redis(self):
        """Inside the block tasks go through Redis (send them with `queue=worker.queue`)."""
        eager, self.app.conf.task_always_eager = self.app.conf.task_always_eager, False
        try:
            yield self
        finally:
            self.app.conf.task_always_eager = eager

    def stop(self) -> str:
        """Stops the worker (once) and returns what it printed, for assertion messages."""
        if self.process is not None:
            self.process.terminate()
            self.output = self.process.communicate(timeout=30)[0].decode(errors="replace")
            self.process = None
        return self.output


@pytest.fixture
def real_worker(celery_eager, tmp_path):
    """A real worker for the test; everything else still runs its tasks in-process."""
    from django.conf import settings
    from django.db import connection

    worker = RealWorker(celery_eager, tmp_path / "mail")
    worker.mail_dir.mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.meetings.worker_settings",
        "CHIBO_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "CHIBO_TEST_MAIL_DIR": str(worker.mail_dir),
        "CELERY_EAGER": "0",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    worker.process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            f"--queues={worker.queue}", f"--hostname={worker.queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture(autouse=True)
def events_fit_their_schemas(monkeypatch):
    """Every event a service appends in a test is checked against its kind's schema
    (meetings.event_schemas) before it is written: a payload that drifts from docs/protocol.md
    and static/js/room.js fails the test that produced it. Servers the tests fork keep the
    unchecked function."""
    from meetings import event_schemas, events

    append = events.append_events

    def checked(*, meeting, entries):
        for kind, payload, _actor in entries:
            event_schemas.check(kind, payload)
        return append(meeting=meeting, entries=entries)

    monkeypatch.setattr(events, "append_events", checked)
