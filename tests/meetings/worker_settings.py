"""Settings for the Celery worker that tests/meetings/test_tasks.py starts as a subprocess: the
real settings, pointed at the test database, with e-mail written to files the test reads."""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["CHIBO_TEST_DATABASE_NAME"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["CHIBO_TEST_MAIL_DIR"]
