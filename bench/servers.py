"""Start real daphne processes for browser tests, load tests and benchmarks."""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(
    *, database_url: str, redis_url: str = "", extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment for a Kindred process serving plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY")
            or "bench-and-test-secret-key-0123456789",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """Run a manage.py command with this environment, failing loudly."""
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def process_stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it if it does not exit within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; its last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(interval)
    return condition()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        process_stop(self.process)


def start_daphne(
    env: dict[str, str],
    log_dir: Path,
    *,
    port: int | None = None,
    application: str = "config.asgi:application",
) -> Server:
    """Start daphne and wait until /healthz answers."""
    port = port or free_port()
    log_path = log_dir / f"daphne-{port}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), application],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = Server(process=process, port=port, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"daphne did not become healthy:\n{server.log()}")


@contextmanager
def running_daphne(env: dict[str, str], log_dir: Path, **kwargs: object) -> Iterator[Server]:
    server = start_daphne(env, log_dir, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def sqlite_site(
    directory: Path, *, demo_password: str | None = "demo-password-123", redis_url: str = ""
) -> dict[str, str]:
    """A fresh migrated SQLite site (with demo data) in `directory`; returns its environment."""
    env = server_env(database_url=f"sqlite:///{directory / 'site.sqlite3'}", redis_url=redis_url)
    manage(env, "migrate", "--noinput")
    if demo_password:
        manage(env, "demo", "--password", demo_password)
    return env


# Chat load tests and benchmarks: several processes on one PostgreSQL database and Redis.

CHAT_SETTINGS = "bench.chat_settings"


def redis_answers(url: str = "redis://127.0.0.1:6379/0") -> bool:
    """Whether a Redis server answers PING at `url`."""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def postgres_answers(url: str = "postgres://postgres@127.0.0.1:5432/test") -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def chat_site(
    directory: Path,
    *,
    redis_url: str,
    layer: str = "",
    postgres_url: str = "postgres://postgres@127.0.0.1:5432/test",
) -> dict[str, str]:
    """A fresh migrated site for several chat processes: its own PostgreSQL database when
    PostgreSQL answers (else a SQLite file), Redis, and its own key prefix there.

    The environment selects bench/chat_settings.py: production settings with the rate
    limit opened up (one member sends a stream) and the channel layer `layer` if given.
    """
    import psycopg

    name = f"kindred_chat_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    if postgres_answers(postgres_url):
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        database_url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        database_url = f"sqlite:///{directory / 'chat.sqlite3'}"
    env = server_env(
        database_url=database_url,
        redis_url=redis_url,
        extra={
            "DJANGO_SETTINGS_MODULE": CHAT_SETTINGS,
            "KINDRED_BENCH_PREFIX": name,
            "KINDRED_BENCH_LAYER": layer,
        },
    )
    manage(env, "migrate", "--noinput")
    return env


def chat_site_drop(env: dict[str, str]) -> None:
    """Drop the PostgreSQL database chat_site created (nothing to do for SQLite)."""
    import psycopg

    url = env["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/test", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_CHAT_MEMBERS_SCRIPT = """
import json, sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
from chat.models import Room
from forum.models import Community
from forum.services import community_create, membership_grant
count, slug = {count}, {slug!r}
community = Community.objects.filter(slug=slug).first() or community_create(name=slug, slug=slug)
room, _ = Room.objects.get_or_create(community=community, slug=slug, defaults={{"name": slug}})
start = User.objects.filter(username__startswith=slug + "-").count()
keys = []
for n in range(start, start + count):
    user = User.objects.create(username=f"{{slug}}-{{n}}")
    membership_grant(user=user, community=community)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
sys.stdout.write("\\n" + json.dumps(keys))
"""


def chat_members(env: dict[str, str], count: int, slug: str = "bench") -> list[str]:
    """Create `count` members of the community and room `slug`; return their session keys."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", _CHAT_MEMBERS_SCRIPT.format(count=count, slug=slug)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


_STORED_SCRIPT = """
import json, sys
from chat.models import Message
rows = Message.objects.filter(room__slug={slug!r}).values_list("id", "client_id")
sys.stdout.write("\\n" + json.dumps([[pk, client_id] for pk, client_id in rows]))
"""


def chat_stored(env: dict[str, str], slug: str = "bench") -> dict[int, str]:
    """Every stored message of the room `slug`: id -> client_id."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", _STORED_SCRIPT.format(slug=slug)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    return {int(pk): client_id for pk, client_id in rows}


# Throwaway Redis servers: shards of the channel layer in tests and benchmarks.


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        process_stop(self.process)


def redis_server_binary() -> str | None:
    """The `redis-server` program, when it is installed."""
    return shutil.which("redis-server")


def start_redis_server(log_dir: Path, *, port: int | None = None) -> RedisServer:
    """A redis-server of our own on loopback, without persistence; waits until it answers."""
    binary = redis_server_binary()
    if binary is None:
        raise FileNotFoundError("redis-server is not installed")
    port = port or free_port()
    log_path = log_dir / f"redis-{port}.log"
    process = subprocess.Popen(
        [
            binary,
            *("--bind", "127.0.0.1", "--port", str(port)),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            *("--logfile", str(log_path)),
        ],
        cwd=log_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process=process, port=port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if redis_answers(server.url):
            return server
        time.sleep(0.1)
    server.stop()
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    raise RuntimeError(f"redis-server on port {port} did not start:\n{log}")


@contextmanager
def running_redis_servers(count: int, log_dir: Path) -> Iterator[list[RedisServer]]:
    """`count` throwaway Redis servers, stopped on the way out."""
    servers: list[RedisServer] = []
    try:
        for _ in range(count):
            servers.append(start_redis_server(log_dir))
        yield servers
    finally:
        for server in servers:
            server.stop()
