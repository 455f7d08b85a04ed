"""Requests per second and median latency of the forum's busiest pages, against the floor.

Serves a seeded site with one daphne process (SQLite, then PostgreSQL when it answers on
127.0.0.1:5432) and loads it from threads with keep-alive connections. The baseline is a
trivial Django view served by the same process in the same run, so the ratio says how close
a full page comes to what the framework alone costs.
"""

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import PYTHON, ROOT, manage, server_env, start_daphne

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def load(port: int, path: str, seconds: float) -> tuple[float, float]:
    """Requests per second and median latency (ms) of GET `path` for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path} answered {response.status}")
                break
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise RuntimeError(errors[0])
    return len(latencies) / elapsed, statistics.median(latencies) * 1000


def postgres_database() -> str | None:
    """A fresh benchmark database on the local PostgreSQL, or None when there is none."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=2) as conn:
            conn.execute("DROP DATABASE IF EXISTS kindred_bench")
            conn.execute("CREATE DATABASE kindred_bench")
    except Exception as error:  # noqa: BLE001 - no PostgreSQL means: skip that round
        sys.stderr.write(f"PostgreSQL round skipped: {error}\n")
        return None
    return "postgres://postgres@127.0.0.1:5432/kindred_bench"


def run_round(label: str, database_url: str, directory: Path) -> None:
    env = server_env(database_url=database_url, extra={"KINDRED_BENCH_URLS": "1"})
    sys.stderr.write(f"[{label}] migrating and seeding…\n")
    manage(env, "migrate", "--noinput")
    seeded = subprocess.run(
        [PYTHON, "bench/forum_seed.py"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    topic_id = seeded.stdout.strip().splitlines()[-1]
    server = start_daphne(env, directory)
    try:
        pages = {
            "floor": "/bench/floor/",
            "topic_page": f"/c/bench/t/{topic_id}/",
            "community_page": "/c/bench/",
        }
        for path in pages.values():
            load(server.port, path, 1.0)  # warm up caches and connections
        results = {}
        for name, path in pages.items():
            sys.stderr.write(f"[{label}] loading {name} for {SECONDS:.0f}s…\n")
            results[name] = load(server.port, path, SECONDS)
        floor_rps, floor_ms = results["floor"]
        for name in ("topic_page", "community_page"):
            rps, median_ms = results[name]
            print(
                f"BENCH forum_{name}_{label} requests_per_s={rps:.0f} "
                f"baseline={floor_rps:.0f} ratio={rps / floor_rps:.2f}"
            )
            print(
                f"BENCH forum_{name}_{label} median_ms={median_ms:.2f} "
                f"baseline={floor_ms:.2f} ratio={median_ms / floor_ms:.2f}"
            )
    finally:
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        run_round("sqlite", f"sqlite:///{directory / 'bench.sqlite3'}", directory)
        database_url = postgres_database()
        if database_url:
            run_round("postgresql", database_url, directory)


if __name__ == "__main__":
    main()
