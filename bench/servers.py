"""Start real daphne processes for browser tests, load tests and benchmarks."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
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
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
