"""The one settings module. Everything that differs between machines comes from the environment.

With no environment at all the app runs embedded: SQLite, the in-memory channel layer and Celery
tasks run in-process. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from config.channel_layer import channel_layer
from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHIBO_VAR_DIR", BASE_DIR / "var"))


# --- Core ---
DEBUG = env_bool("DEBUG", default=False)
# The embedded default keeps a per-checkout key on disk so sessions survive restarts.
SECRET_KEY = env_secret(
    "SECRET_KEY", var_dir=VAR_DIR, file_name="secret_key", make=get_random_secret_key
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",  # first, so runserver serves ASGI (HTTP and websockets)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "members",
    "meetings",
    "minutes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (gzip) for slow phones: the room's page is 26 KB, 6 KB compressed. Django's
    # GZipMiddleware pads each response at random against BREACH (docs/security.md); static
    # files are served precompressed by WhiteNoise above and never reach it.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.language.ChosenLanguageMiddleware",  # Vietnamese unless the user chose English
    "config.zones.ZoneMiddleware",  # the default zone until a page about a cell picks its own
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.private_pages.NoStoreWhenSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "members.otp.RequireVerifiedSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None
# The objects loaded at start-up are frozen out of the garbage collector (config/heap.py).
FREEZE_STARTUP_OBJECTS = True
# What survives a full collection is frozen too, and thawed every so many seconds (config/heap.py:
# ShortCollections); 0 leaves Python's collector as it is.
GC_THAW_SECONDS = env_int("GC_THAW_SECONDS", default=600)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            # IMMEDIATE transactions take the write lock up front, so two writers queue instead
            # of failing with "database is locked" halfway through a service call.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
            # Live-server tests need a file, not an in-memory database.
            "TEST": {"NAME": VAR_DIR / "test_db.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads of each server process that run the live room's commands, each meeting on one of them,
# beside the process's database thread (meetings/command_threads.py). Each holds a database
# connection of its own. 0 (the default on SQLite): everything in the database thread.
ROOM_COMMAND_THREADS = env_int(
    "ROOM_COMMAND_THREADS", 4 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 0
)

# --- Auth and sessions ---
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "members:home"
LOGOUT_REDIRECT_URL = "members:login"

# Sessions end after this much inactivity: every request renews the cookie.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# SECURE_COOKIES=1 says the site is served over HTTPS (docs/security.md).
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# HSTS: browsers that saw the site over HTTPS use nothing else for this long. On (a year) when
# served over HTTPS; Django sends it on HTTPS answers only. Preload and subdomains are the
# operator's decision for the whole domain.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a proxy that terminates HTTPS and sets X-Forwarded-Proto itself (deploy/nginx.conf):
# requests it forwards count as HTTPS. Never set it without such a proxy: a client could.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)

# --- django-otp ---
OTP_TOTP_ISSUER = "Chi bộ trực tuyến"
OTP_TOTP_TOLERANCE = 1
# django-otp throttles each device itself (exponential back-off after failures).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# --- django-axes: lockout on repeated password failures ---
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username"]
# What is recorded of a failed sign-in's username is at most a real username's length.
AXES_USERNAME_CALLABLE = "members.failed_logins.recorded_username"
# A right password alone must not wipe wrong one-time codes: reset only after the second factor.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "members/locked_out.html"
AXES_VERBOSE = False
# Lock the account, not the address: members of one office share an address, and one
# member's typos must not lock the whole office out (axes.W006 warns about exactly that).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Wrong second-factor codes count towards the same limit (members.otp._record_failure).

# --- Internationalisation ---
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The member's choice of language (config.language) outlives the browser session, unlike the
# session cookie: a year, renewed by each choice.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and uploaded files ---
STATIC_URL = "/static/"
STATICFILES_DIRS: list[Path | tuple[str, str]] = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes each file under a name with its content's hash, with gzip and brotli
    # copies; pages link the hashed names, which WhiteNoise serves compressed and cacheable for
    # ten years (a changed file gets a new name; ES module imports are rewritten to the hashed
    # names too). Pages need the manifest: run collectstatic (./bin/run and the Docker image
    # do). CSS and JavaScript are minified first (config/static_storage.py). The test settings
    # keep plain names.
    "staticfiles": {"BACKEND": "config.static_storage.StaticStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
WHITENOISE_USE_FINDERS = True  # files not yet collected are still served, under their plain name
# Request bodies (config/body_limits.py): every route takes at most REQUEST_BODY_MAX_BYTES, except
# the pages that take a file (their file's limit on top) and the minutes form (the form-data
# limit below); larger bodies get a 413 before they are read.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024)
# Form fields (not files) Django reads into memory: the recorder's minutes form is the largest.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files above this go to a temporary file, not memory (Django's default).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
ROSTER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
ROSTER_IMPORT_MAX_ROWS = 2000  # members in one file
# A hostile spreadsheet cannot outgrow these (members/roster_import.py; docs/security.md).
ROSTER_IMPORT_MAX_SHEET_ROWS = 10_000  # spreadsheet rows read, blank ones included
ROSTER_IMPORT_MAX_COLUMNS = 50
ROSTER_IMPORT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # an XLSX archive's parts, unpacked
ROSTER_IMPORT_MAX_SECONDS = 60

# /health/ answers everyone {"status": "ok"}; its details (database, channel layer, Celery) only
# a request with "Authorization: Bearer <HEALTH_TOKEN>". Unset: to no one.
HEALTH_TOKEN = env_str("HEALTH_TOKEN")
# /metrics (config/metrics.py, Prometheus) only with "Authorization: Bearer <METRICS_TOKEN>";
# unset: HEALTH_TOKEN.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- Security headers: nothing leaves the server ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "members.views.pages.csrf_failure"

# Every secret ballot is encrypted in the voters' pages and counted by a board
# (docs/secret-ballot.md): nothing stored links a member to a choice. Off (`0`) only for a
# deployment that must keep the earlier scheme (receipt and choice stored apart, which the
# database's transaction ids and backups can link: docs/security.md); the chair's vote may then
# still ask for encryption (`vote.open` with `encrypted`), and never opt out of it when on.
SECRET_BALLOT_ENCRYPTED = env_bool("SECRET_BALLOT_ENCRYPTED", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Channels ---
REDIS_URL = env_str("REDIS_URL")
# The channel layer may be spread over several Redis servers (REDIS_URLS, comma-separated; by
# default REDIS_URL alone): channels-redis puts each group and each process's inbox on one of
# them by a hash of its name, so a meeting's events go through one server and the load of many
# meetings spreads over all (docs/scaling.md). Every process must list the same servers in the
# same order. Celery and the cache stay on REDIS_URL.
REDIS_URLS = [url.strip() for url in env_str("REDIS_URLS", REDIS_URL or "").split(",") if url]


if REDIS_URLS:
    CHANNEL_LAYERS = {"default": channel_layer(REDIS_URLS)}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Handshakes one member may make to the live room in a minute (meetings/throttle.py).
ROOM_CONNECTS_PER_MINUTE = env_int("ROOM_CONNECTS_PER_MINUTE", 30)
# A websocket client that does not read: dropped once this many bytes wait to be sent to it
# (config/daphne_backpressure.py).
WEBSOCKET_SEND_BUFFER_BYTES = env_int("WEBSOCKET_SEND_BUFFER_BYTES", 4 * 1024 * 1024)

# --- Celery ---
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Caches ---
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "chibo",
        }
    }

# --- E-mail ---
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chibo@localhost")

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Meetings ---
# Largest meeting document accepted (bytes); larger uploads get a form error.
MEETINGS_DOCUMENT_MAX_BYTES = env_int("MEETINGS_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# Invitations go out this many days before a scheduled meeting (at once if it is sooner).
MEETINGS_INVITATION_LEAD_DAYS = env_int("MEETINGS_INVITATION_LEAD_DAYS", 14)
# Reminders, in minutes before the start: 24 hours and 1 hour by default.
try:
    MEETINGS_REMINDER_OFFSETS_MINUTES = sorted(
        {int(v) for v in env_list("MEETINGS_REMINDER_OFFSETS_MINUTES", ["1440", "60"])}
    )
except ValueError as error:
    raise ImproperlyConfigured(
        "MEETINGS_REMINDER_OFFSETS_MINUTES must be whole numbers separated by commas"
    ) from error
# A meeting may be started from this many minutes before the time members were called for
# until the end of that day; at any other time it is rescheduled, which sends a new invitation.
MEETINGS_START_WINDOW_MINUTES = env_int("MEETINGS_START_WINDOW_MINUTES", 60)
# How often Celery beat looks for due invitations and reminders (seconds).
MEETINGS_NOTICE_INTERVAL_SECONDS = env_int("MEETINGS_NOTICE_INTERVAL_SECONDS", 300)
# A server process holding live-room connections renews its lease every quarter of this; the
# connections of one that stopped renewing (killed, restarted) are closed by any other server,
# or by Celery beat, at the moment of its last renewal (meetings/leases.py). At most 30 s:
# a killed server's members are shown as gone within this and one renewal interval.
PRESENCE_LEASE_SECONDS = env_int("PRESENCE_LEASE_SECONDS", 20)
if not 1 <= PRESENCE_LEASE_SECONDS <= 30:
    raise ImproperlyConfigured("PRESENCE_LEASE_SECONDS must be between 1 and 30")
CELERY_BEAT_SCHEDULE = {
    "meetings-send-due-notices": {
        "task": "meetings.send_due_notices",
        "schedule": float(MEETINGS_NOTICE_INTERVAL_SECONDS),
    },
    "meetings-sweep-presence-leases": {
        "task": "meetings.sweep_presence_leases",
        "schedule": PRESENCE_LEASE_SECONDS / 2,
    },
}

# --- Voice and picture (meetings/media: a self-hosted Janus VideoRoom and coturn) ---
# Without the four JANUS_* values the room works without media and says so.
JANUS_URL = env_str("JANUS_URL")  # the browser's: ws(s)://host:port or http(s)://host/janus
JANUS_ADMIN_URL = env_str("JANUS_ADMIN_URL")  # the server's Janus HTTP API (rooms, moderation)
JANUS_TOKEN_SECRET = env_str("JANUS_TOKEN_SECRET")  # Janus token_auth_secret
JANUS_ADMIN_SECRET = env_str("JANUS_ADMIN_SECRET")  # Janus admin_secret, VideoRoom admin_key
# Janus's admin API (http://127.0.0.1:7088/admin): which token each participant joined with, so
# that the server puts out a page that joined under someone else's id. Without it the check is
# not made (logged once per event).
JANUS_ADMIN_API_URL = env_str("JANUS_ADMIN_API_URL")
TURN_URLS = env_list("TURN_URLS", [])  # turn:host:3478?transport=udp,turns:host:443?…
TURN_SECRET = env_str("TURN_SECRET")  # coturn static-auth-secret (TURN REST credentials)
# How long a participant's media tokens and TURN credentials last (Janus checks the token on
# every request, keepalives included: it must outlast the meeting).
MEDIA_TOKEN_SECONDS = env_int("MEDIA_TOKEN_SECONDS", 8 * 3600)
# Janus's client library and the WebRTC adapter come from Debian (libjs-janus-gateway,
# libjs-webrtc-adapter) and are served as our own static files, never from a CDN.
MEDIA_SCRIPT_DIRS = {
    "janus-gateway": Path(env_str("JANUS_JS_DIR", "/usr/share/javascript/janus-gateway")),
    "webrtc-adapter": Path(env_str("WEBRTC_ADAPTER_DIR", "/usr/share/javascript/webrtc-adapter")),
}
STATICFILES_DIRS += [
    (f"vendor/{name}", str(path)) for name, path in MEDIA_SCRIPT_DIRS.items() if path.is_dir()
]

# --- Signing ---
# The built-in certificate authority and the members' signing keys are stored encrypted with a
# key derived from this value (minutes/keystore.py). Losing it makes every stored key unusable;
# signed PDFs stay valid. The embedded default keeps a per-checkout value on disk.
SIGNING_KEY_ENCRYPTION_KEY = env_secret(
    "SIGNING_KEY_ENCRYPTION_KEY",
    var_dir=VAR_DIR,
    file_name="signing_key_encryption_key",
    make=lambda: secrets.token_urlsafe(48),
)
SIGNING_AUTHORITY_NAME = env_str("SIGNING_AUTHORITY_NAME", "Chi bộ trực tuyến – CA nội bộ")
# PEM files of further certificate authorities whose signatures are trusted (organisations that
# sign with their own PKCS#11 tokens), comma-separated.
SIGNING_TRUSTED_CA_FILES = env_list("SIGNING_TRUSTED_CA_FILES", [])
