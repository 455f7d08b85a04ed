"""Settings switch on environment variables; production settings pass check --deploy."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "init_command": db.get("OPTIONS", {}).get("init_command", ""),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "pool": db.get("OPTIONS", {}).get("pool"),
}))
"""
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7!kq2-production-like-secret-key-with-enough-entropy-0a9s8d7f6g5h",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "kindred.example.org",
    "DATABASE_URL": "postgres://kindred@127.0.0.1:5432/kindred",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_under(env: dict[str, str]) -> dict[str, object]:
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_is_sqlite_in_wal_mode_with_in_memory_layer() -> None:
    found = settings_under({"DJANGO_DEBUG": "1"})
    assert found["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in str(found["init_command"])
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert str(found["cache"]).endswith("LocMemCache")
    assert found["hosts"] == ["127.0.0.1", "localhost"]
    assert found["debug"] is True


def test_database_url_switches_to_postgresql_and_redis_url_to_channels_redis() -> None:
    found = settings_under(PRODUCTION)
    assert found["engine"] == "django.db.backends.postgresql"
    assert str(found["layer"]).startswith("channels_redis.")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["hosts"] == ["kindred.example.org"]
    assert found["debug"] is False
    assert found["ssl_redirect"] is True
    # Under ASGI persistent connections pile up one per thread: a bounded pool instead.
    assert found["conn_max_age"] == 0
    assert found["pool"] == {"min_size": 1, "max_size": 10, "timeout": 20}


def test_database_pool_size_comes_from_the_environment() -> None:
    found = settings_under({**PRODUCTION, "DJANGO_DB_POOL_SIZE": "4"})
    assert found["pool"] == {"min_size": 1, "max_size": 4, "timeout": 20}


def test_missing_secret_key_outside_debug_stops_with_one_line() -> None:
    result = run_python("import django; django.setup()", {"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DJANGO_SECRET_KEY" in lines[0]


def test_check_deploy_is_clean_under_production_variables() -> None:
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_content_security_policy_has_no_unsafe_inline(client, db) -> None:
    response = client.get("/help/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
