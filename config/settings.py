"""Kindred settings: one module, driven by environment variables (see README.md).

With no environment set, Kindred runs embedded: SQLite in WAL mode and the in-memory
channel layer. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """Generate a secret key once into an ignored file, so debug sessions survive restarts."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
# Behind TLS by default outside debugging; DJANGO_HTTPS=0 serves plain HTTP (tests, loopback).
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        sys.exit(
            "Kindred refuses to start: DJANGO_SECRET_KEY is not set "
            "(set it, or DJANGO_DEBUG=1 for a local debug run)."
        )
    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "accounts",
    "forum",
    "chat",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.header_counts",
                "moderation.context_processors.moderation_counts",
            ],
        },
    },
]

# Databases: SQLite (WAL, immediate transactions so concurrent writers queue instead of
# failing) unless DATABASE_URL names a server.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASES: dict[str, Any] = {
    "default": (
        dj_database_url.parse(DATABASE_URL, conn_max_age=0)
        if DATABASE_URL
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every sync request runs in a thread of its own, so persistent connections
    # (CONN_MAX_AGE) pile up, one per thread, until PostgreSQL refuses clients (the soak
    # test met "too many clients"). A pool per process bounds them: requests wait for a
    # free connection instead of failing. Size it so that processes x size stays under
    # PostgreSQL's max_connections (or PgBouncer's pool).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DJANGO_DB_POOL_SIZE", "10")),
        "timeout": 20,
    }

# Channel layer and cache: in-process by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Channel-layer shards (optional): several Redis servers, comma-separated. channels-redis
# spreads groups and channels over them by a consistent hash of their names, so every
# process must list the same servers in the same order. The cache stays on REDIS_URL.
CHANNEL_REDIS_URLS = env_list("CHANNEL_REDIS_URLS", REDIS_URL)
if CHANNEL_REDIS_URLS and not REDIS_URL:
    raise ImproperlyConfigured(
        "CHANNEL_REDIS_URLS needs REDIS_URL as well: the cache (rate limits, presence) "
        "must be shared by every process."
    )
if REDIS_URL:
    # Pub/sub, chosen by measurement (bench/README.md): a group send is one PUBLISH
    # that each process receives once and fans out in memory, where the core layer writes
    # one Redis list entry per member and each process pops them one by one. It also has
    # the failure behaviour chat wants without tuning: there is no capacity to fill (a slow
    # or dead client's frames wait in its own socket buffer and daphne's ping timeout
    # closes it, so it never stalls the room), nothing expires unread in Redis, and group
    # membership is a subscription of the process's own Redis connection, so a crashed
    # process leaves nobody in any group (core's `group_expiry` would keep them for a day
    # by default). Delivery is at most once; a socket that misses a frame catches up from
    # the database with `?after=`, which is how a stored message is never lost.
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": CHANNEL_REDIS_URLS, "prefix": "kindred"},
        }
    }
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kindred",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: a username and a password; email is optional and only used for recovery.
ACCOUNT_ADAPTER = "accounts.adapter.KindredAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# Email is only for recovery. A unique email would let sign-up reveal whether an address
# is registered (allauth cannot hide it without mandatory verification).
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
}
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Each daphne process serves its own static files; a reverse proxy may serve STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: safe defaults everywhere, TLS-only settings when served over HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No inline scripts or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}

# Two-factor authentication (TOTP with recovery codes) for moderators, owners and staff.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kindred"

# bench/ compares pages with a trivial view served by the same process; never on in production.
KINDRED_BENCH_URLS = env_bool("KINDRED_BENCH_URLS", False)

# "Leave quickly" (and Escape pressed twice) replaces the page with this neutral site.
KINDRED_QUICK_EXIT_URL = os.environ.get("KINDRED_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
