"""Test settings: the real settings with a handful of values made fast or captured."""

import os

from config.settings import *  # noqa: F403
from config.settings import PASSWORD_HASHERS

# Argon2 is kept in the list (a test checks stored hashes), but the fast hasher comes first.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test process imports config.asgi halfway through the suite: freezing what is alive then
# would keep the earlier tests' garbage for good (config/heap.py).
FREEZE_STARTUP_OBJECTS = False

# Connections opened in Channels' worker threads must close, or PostgreSQL refuses to drop
# the test database at the end ("being accessed by other users").
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Several test runs on one machine (developers, CI) must not share one test database. The name
# is explicit because the live-server process for browser tests reads it from here.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": VAR_DIR / f"test_db_{os.getpid()}.sqlite3"}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
