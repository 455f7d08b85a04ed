"""Capacity of one daphne process, for the sizing in bench/README.md ("Capacity").

    .venv/bin/python bench/capacity.py [--members 200] [--idle 500] [--seconds 10]

Each figure is measured on one process of Kindred and, in the same run, of the Channels
tutorial consumer (or the trivial page) as the baseline, in CPU time of the daphne process
(user + system) rather than wall time, so that other work on a shared machine disturbs it
less. Prints
    BENCH capacity_chat_store cpu_ms=…        CPU per message one member sends (stored, acked)
    BENCH capacity_chat_delivery cpu_us=…     CPU per message delivered to one more socket
    BENCH capacity_chat_redis commands=…      Redis commands per message sent
    BENCH capacity_chat_db rows_written=…     rows PostgreSQL writes per message (and commits)
    BENCH capacity_idle_member rss_kib=…      resident memory per connected idle member
    BENCH capacity_forum_<page> cpu_ms=…      CPU per forum page request (baseline: a trivial view)
each with `baseline=… ratio=…`. Progress and details go to stderr. Needs Redis (REDIS_URL or
127.0.0.1:6379; its own redis-server when the program is installed, so that the Redis
figures count only this run); PostgreSQL on 127.0.0.1:5432 for the database figures.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

if __package__ in {None, ""}:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
import redis

from bench.chat_fanout import ChatClient, connect_all, measure_idle, stream
from bench.forum_pages import load
from bench.servers import (
    PYTHON,
    ROOT,
    Server,
    chat_members,
    chat_site,
    chat_site_drop,
    redis_answers,
    redis_server_binary,
    running_redis_servers,
    start_daphne,
)

KINDRED = "config.asgi:application"
BASELINE = "bench.baseline_asgi:application"
STORE_RATE = 20  # messages a second from one member, well under what one socket sustains
FANOUT_RATE = 10


def progress(text: str) -> None:
    sys.stderr.write(f"[capacity] {text}\n")
    sys.stderr.flush()


def cpu_seconds(server: Server) -> float:
    times = psutil.Process(server.process.pid).cpu_times()
    return float(times.user + times.system)


def redis_calls(url: str) -> dict[str, int]:
    stats = redis.Redis.from_url(url).info("commandstats")
    return {
        name.removeprefix("cmdstat_"): int(values["calls"])
        for name, values in stats.items()
        if name != "cmdstat_info"
    }


@dataclass
class PostgresStats:
    commits: int
    rows: dict[str, int]  # table -> rows inserted + updated + deleted


def postgres_stats(database_url: str) -> PostgresStats | None:
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(database_url) as connection:
        (commits,) = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone() or (0,)
        rows = connection.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables"
        ).fetchall()
    return PostgresStats(commits=int(commits), rows={name: int(count) for name, count in rows})


@contextmanager
def daphne(env: dict[str, str], directory: Path, application: str) -> Iterator[Server]:
    server = start_daphne(env, directory, application=application)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Sent:
    messages: int
    receivers: int
    cpu: float
    lost: int
    redis_calls: dict[str, int]
    p50_ms: float


def send_and_measure(
    server: Server,
    sessions: list[str],
    room: str,
    *,
    baseline: bool,
    rate: int,
    seconds: float,
    redis_url: str,
) -> Sent:
    """One member sends `rate` messages a second to `sessions` connected to `server`."""
    path = f"/ws/chat/{room}/" if baseline else f"/ws/chat/{room}/{room}/"

    async def run() -> Sent:
        clients = [
            ChatClient(key, [server.ws_url], path=path, baseline=baseline) for key in sessions
        ]
        await connect_all(clients)
        await asyncio.sleep(3)  # presence frames and connection work settle
        redis_before = redis_calls(redis_url)
        cpu_before = cpu_seconds(server)
        figures = await stream(clients, rate, seconds)
        cpu = cpu_seconds(server) - cpu_before
        redis_after = redis_calls(redis_url)
        await asyncio.gather(*(client.stop() for client in clients))
        calls = {
            name: redis_after[name] - redis_before.get(name, 0)
            for name in redis_after
            if redis_after[name] != redis_before.get(name, 0)
        }
        return Sent(
            messages=figures.sent,
            receivers=len(clients),
            cpu=cpu,
            lost=figures.lost,
            redis_calls=calls,
            p50_ms=figures.p50_ms,
        )

    return asyncio.run(run())


def bench_line(name: str, metric: str, value: float, baseline: float, digits: int = 2) -> None:
    ratio = f"{value / baseline:.2f}" if baseline else "n/a"
    print(f"BENCH {name} {metric}={value:.{digits}f} baseline={baseline:.{digits}f} ratio={ratio}")
    sys.stdout.flush()


def chat_figures(
    env: dict[str, str], directory: Path, args: argparse.Namespace, redis_url: str
) -> None:
    solo = chat_members(env, 1, "solo")
    room = chat_members(env, args.members, "cap")
    store: dict[str, Sent] = {}
    fanout: dict[str, Sent] = {}
    db_before = db_after = None
    for name, application in (("kindred", KINDRED), ("baseline", BASELINE)):
        baseline = name == "baseline"
        with daphne(env, directory, application) as server:
            time.sleep(3)  # the database connection's statistics of the start-up are flushed
            if not baseline:
                db_before = postgres_stats(env["DATABASE_URL"])
            store[name] = send_and_measure(
                server,
                solo,
                "solo",
                baseline=baseline,
                rate=STORE_RATE,
                seconds=args.seconds,
                redis_url=redis_url,
            )
        if not baseline:
            time.sleep(1.5)  # the stopped process's statistics reach pg_stat
            db_after = postgres_stats(env["DATABASE_URL"])
        progress(
            f"{name}: {store[name].messages} messages from one member: "
            f"{store[name].cpu:.2f} s CPU, Redis {store[name].redis_calls}"
        )
        with daphne(env, directory, application) as server:
            fanout[name] = send_and_measure(
                server,
                room,
                "cap",
                baseline=baseline,
                rate=FANOUT_RATE,
                seconds=args.seconds,
                redis_url=redis_url,
            )
        sent = fanout[name]
        progress(
            f"{name}: {sent.messages} messages to {sent.receivers} sockets: {sent.cpu:.2f} s CPU, "
            f"p50 {sent.p50_ms:.0f} ms, lost {sent.lost}"
        )

    per_store = {name: s.cpu / s.messages for name, s in store.items()}
    per_delivery = {
        name: (s.cpu - per_store[name] * s.messages) / (s.messages * (s.receivers - 1))
        for name, s in fanout.items()
    }
    bench_line(
        "capacity_chat_store", "cpu_ms", per_store["kindred"] * 1e3, per_store["baseline"] * 1e3
    )
    bench_line(
        "capacity_chat_delivery",
        "cpu_us",
        per_delivery["kindred"] * 1e6,
        per_delivery["baseline"] * 1e6,
        digits=1,
    )
    calls = {name: sum(s.redis_calls.values()) / s.messages for name, s in store.items()}
    bench_line("capacity_chat_redis", "commands", calls["kindred"], calls["baseline"])
    for name in ("kindred", "baseline"):
        progress(
            f"{name}: at 100 % of a core one process stores {1 / per_store[name]:.0f} messages/s "
            f"or delivers {1 / per_delivery[name]:.0f} messages/s to sockets"
        )
    if db_before is not None and db_after is not None:
        messages = store["kindred"].messages
        rows = {
            table: db_after.rows[table] - db_before.rows.get(table, 0)
            for table in db_after.rows
            if db_after.rows[table] != db_before.rows.get(table, 0)
        }
        commits = db_after.commits - db_before.commits
        progress(f"PostgreSQL for {messages} messages: {commits} commits, rows written {rows}")
        # The least a stored message can cost is its own row.
        bench_line("capacity_chat_db", "rows_written", sum(rows.values()) / messages, 1.0)
        bench_line("capacity_chat_db", "commits", commits / messages, 1.0)


def idle_figures(env: dict[str, str], directory: Path, args: argparse.Namespace) -> None:
    sessions = chat_members(env, args.idle + 1, "idle")
    per_member = {}
    for name, application in (("kindred", KINDRED), ("baseline", BASELINE)):
        with daphne(env, directory, application) as server:
            per_member[name] = asyncio.run(
                measure_idle(server, sessions, baseline=name == "baseline")
            )
    bench_line(
        "capacity_idle_member",
        "rss_kib",
        per_member["kindred"] / 1024,
        per_member["baseline"] / 1024,
        digits=1,
    )


def forum_figures(env: dict[str, str], directory: Path, args: argparse.Namespace) -> None:
    seeded = subprocess.run(
        [PYTHON, "bench/forum_seed.py"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    topic_id = seeded.stdout.decode().strip().splitlines()[-1]
    pages = {
        "floor": "/bench/floor/",
        "topic_page": f"/c/bench/t/{topic_id}/",
        "community_page": "/c/bench/",
    }
    cpu_per_request: dict[str, float] = {}
    with daphne({**env, "KINDRED_BENCH_URLS": "1"}, directory, KINDRED) as server:
        for name, path in pages.items():
            load(server.port, path, 1.0)  # warm up
            before, started = cpu_seconds(server), time.monotonic()
            rate, _ = load(server.port, path, args.seconds / 2)
            requests = rate * (time.monotonic() - started)
            cpu_per_request[name] = (cpu_seconds(server) - before) / requests
            progress(f"{name}: {rate:.0f} requests/s, {cpu_per_request[name] * 1e3:.1f} ms CPU")
    for name in ("topic_page", "community_page"):
        bench_line(
            f"capacity_forum_{name}",
            "cpu_ms",
            cpu_per_request[name] * 1e3,
            cpu_per_request["floor"] * 1e3,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="capacity-") as folder, ExitStack() as stack:
        directory = Path(folder)
        redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        if redis_server_binary():
            # A Redis of its own, so that the command counts are this run's alone.
            (own,) = stack.enter_context(running_redis_servers(1, directory))
            redis_url = own.url
        elif not redis_answers(redis_url):
            print(f"SKIP capacity: no redis-server program and no Redis at {redis_url}")
            return 0
        env = chat_site(directory, redis_url=redis_url, layer="pubsub")
        try:
            progress(f"site {env['DATABASE_URL'].rsplit('/', 1)[-1]}, Redis {redis_url}")
            chat_figures(env, directory, args, redis_url)
            idle_figures(env, directory, args)
            forum_figures(env, directory, args)
        finally:
            chat_site_drop(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
