"""Chat fan-out: send-to-receive latency and lost deliveries, Kindred against the Channels
tutorial consumer, both on two daphne processes sharing Redis; and memory per idle member.

    .venv/bin/python bench/chat_fanout.py [--seconds 10] [--members 100] [--idle 1000]

Prints `BENCH chat_fanout_<rate> p99_ms=… baseline=… ratio=…` lines (and p50, lost) for the
production layer, the same for the other channels-redis layer, and `BENCH chat_idle_member`.
Progress goes to stderr. Needs Redis on 127.0.0.1:6379 (or REDIS_URL); PostgreSQL is used
when it answers on 127.0.0.1:5432, else SQLite.
"""

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from bench.servers import (
    Server,
    chat_members,
    chat_site,
    chat_site_drop,
    redis_answers,
    start_daphne,
)

PRODUCTION_LAYER = "pubsub"
OTHER_LAYER = "core"
ORIGIN = "http://127.0.0.1"
RATES = (20, 40)
_message_numbers = itertools.count()


def progress(text: str) -> None:
    sys.stderr.write(f"[chat_fanout] {text}\n")
    sys.stderr.flush()


@dataclass
class ChatClient:
    """One member's socket that keeps every message it gets, reconnects to any server it
    knows with `after` when its server goes away, and re-sends what was not acknowledged.
    """

    session_key: str
    servers: list[str]
    path: str = "/ws/chat/bench/bench/"
    baseline: bool = False
    ids: list[int] = field(default_factory=list)
    arrivals: dict[str, float] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    closes: list[int] = field(default_factory=list)
    reconnects: int = 0
    socket: ClientConnection | None = None
    task: asyncio.Task[None] | None = None
    stopping: bool = False
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def last_id(self) -> int:
        return max(self.ids, default=0)

    async def start(self) -> None:
        await self._open()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _open(self) -> None:
        after = f"?after={self.last_id}" if self.ids else ""
        for attempt in itertools.count():
            server = self.servers[attempt % len(self.servers)]
            try:
                self.socket = await connect(
                    f"{server}{self.path}{after}",
                    origin=ORIGIN,  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"sessionid={self.session_key}"},
                    open_timeout=10,
                    max_queue=None,
                )
                break
            except (OSError, TimeoutError, WebSocketException):
                if attempt > 50:
                    raise
                await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
        self.connected.set()
        for client_id, body in list(self.pending.items()):
            await self._send_frame(client_id, body)

    async def _run(self) -> None:
        while not self.stopping:
            if self.socket is None:
                return
            try:
                async for raw in self.socket:
                    self._receive(raw)
            except ConnectionClosed:
                pass
            code = self.socket.close_code
            if self.stopping:
                return
            self.closes.append(code or 0)
            self.connected.clear()
            self.reconnects += 1
            await self._open()

    def _receive(self, raw: str | bytes) -> None:
        now = time.perf_counter()
        frame = json.loads(raw)
        if self.baseline:
            self.arrivals.setdefault(frame["message"], now)
            return
        kind = frame.get("type")
        if kind == "message":
            self.ids.append(frame["id"])
            if frame["client_id"]:
                self.arrivals.setdefault(frame["client_id"], now)
        elif kind == "ack":
            self.acked[frame["client_id"]] = frame["id"]
            self.pending.pop(frame["client_id"], None)

    async def send(self, client_id: str, body: str) -> None:
        if not self.baseline:
            self.pending[client_id] = body
        await self._send_frame(client_id, body)

    async def _send_frame(self, client_id: str, body: str) -> None:
        frame = (
            {"message": client_id}
            if self.baseline
            else {"type": "send", "client_id": client_id, "body": body}
        )
        try:
            if self.socket is not None:
                await self.socket.send(json.dumps(frame))
        except ConnectionClosed:
            pass  # Re-sent from `pending` after the reconnect.

    async def stop(self) -> None:
        self.stopping = True
        if self.socket is not None:
            await self.socket.close()
        if self.task is not None:
            self.task.cancel()


async def connect_all(clients: Sequence[ChatClient], batch: int = 100) -> None:
    for start in range(0, len(clients), batch):
        await asyncio.gather(*(client.start() for client in clients[start : start + batch]))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Figures:
    p50_ms: float
    p99_ms: float
    lost: int
    sent: int


async def stream(clients: list[ChatClient], rate: int, seconds: float) -> Figures:
    """Send from clients[0] at `rate` a second; measure delivery to every client."""
    sender = clients[0]
    run = next(_message_numbers)
    sent_at: dict[str, float] = {}
    total = int(rate * seconds)
    start = time.perf_counter()
    for n in range(total):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client_id = f"r{run}-{n}-{uuid.uuid4().hex[:8]}"
        sent_at[client_id] = time.perf_counter()
        await sender.send(client_id, f"bench message {n}")
    # Drain: until everything arrived, or 5 s of nothing more.
    deadline = time.perf_counter() + 5
    expected = total * len(clients)
    while time.perf_counter() < deadline:
        got = sum(1 for c in clients for cid in sent_at if cid in c.arrivals)
        if got >= expected:
            break
        await asyncio.sleep(0.2)
    latencies = [
        (client.arrivals[cid] - sent) * 1000
        for client in clients
        for cid, sent in sent_at.items()
        if cid in client.arrivals
    ]
    return Figures(
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        lost=expected - len(latencies),
        sent=total,
    )


def rss_of(server: Server) -> int:
    return int(psutil.Process(server.process.pid).memory_info().rss)


async def measure_fanout(
    servers: list[Server], sessions: list[str], *, baseline: bool, seconds: float
) -> dict[int, Figures]:
    urls = [server.ws_url for server in servers]
    path = "/ws/chat/bench/" if baseline else "/ws/chat/bench/bench/"
    clients = [
        ChatClient(session_key=key, servers=[urls[n % 2]], path=path, baseline=baseline)
        for n, key in enumerate(sessions)
    ]
    await connect_all(clients)
    await asyncio.sleep(2.5)  # Let presence frames of the connection wave pass.
    results = {}
    for rate in RATES:
        results[rate] = await stream(clients, rate, seconds)
        progress(
            f"  {'baseline' if baseline else 'kindred '} {rate:>2}/s: p50 "
            f"{results[rate].p50_ms:.1f} ms, p99 {results[rate].p99_ms:.1f} ms, "
            f"lost {results[rate].lost}"
        )
        await asyncio.sleep(1)
    await asyncio.gather(*(client.stop() for client in clients))
    return results


async def measure_idle(server: Server, sessions: list[str], *, baseline: bool) -> float:
    """Resident bytes per idle connected member on one process."""
    path = "/ws/chat/idle/" if baseline else "/ws/chat/idle/idle/"
    warm = [ChatClient(session_key=sessions[0], servers=[server.ws_url], path=path)]
    warm[0].baseline = baseline
    await connect_all(warm)
    await asyncio.sleep(2)
    before = rss_of(server)
    clients = [
        ChatClient(session_key=key, servers=[server.ws_url], path=path, baseline=baseline)
        for key in sessions[1:]
    ]
    await connect_all(clients)
    await asyncio.sleep(4)
    after = rss_of(server)
    await asyncio.gather(*(client.stop() for client in [*warm, *clients]))
    return (after - before) / len(clients)


def run_layer(layer: str, directory: Path, redis_url: str, args: argparse.Namespace) -> dict:
    progress(f"layer {layer}: preparing a fresh site")
    env = chat_site(directory, redis_url=redis_url, layer=layer)
    try:
        sessions = chat_members(env, args.members, "bench")
        results: dict[str, Any] = {}
        for name, application in (
            ("kindred", "config.asgi:application"),
            ("baseline", "bench.baseline_asgi:application"),
        ):
            servers = [start_daphne(env, directory, application=application) for _ in range(2)]
            try:
                progress(f"layer {layer}: {name} on ports {[s.port for s in servers]}")
                results[name] = asyncio.run(
                    measure_fanout(
                        servers, sessions, baseline=name == "baseline", seconds=args.seconds
                    )
                )
            finally:
                for server in servers:
                    server.stop()
        if args.idle and layer == PRODUCTION_LAYER:
            progress(f"layer {layer}: {args.idle} idle members on one process")
            idle_sessions = chat_members(env, args.idle + 1, "idle")
            for name, application in (
                ("kindred", "config.asgi:application"),
                ("baseline", "bench.baseline_asgi:application"),
            ):
                server = start_daphne(env, directory, application=application)
                try:
                    results[f"idle_{name}"] = asyncio.run(
                        measure_idle(server, idle_sessions, baseline=name == "baseline")
                    )
                finally:
                    server.stop()
        return results
    finally:
        chat_site_drop(env)


def report(layer: str, results: dict) -> None:
    tag = "" if layer == PRODUCTION_LAYER else f"_{layer}"
    for rate in RATES:
        ours, base = results["kindred"][rate], results["baseline"][rate]
        for metric in ("p50_ms", "p99_ms"):
            value, reference = getattr(ours, metric), getattr(base, metric)
            print(
                f"BENCH chat_fanout{tag}_{rate} {metric}={value:.1f} "
                f"baseline={reference:.1f} ratio={value / reference:.2f}"
            )
        print(
            f"BENCH chat_fanout{tag}_{rate} lost={ours.lost} baseline={base.lost} "
            f"ratio={'n/a' if not base.lost else f'{ours.lost / base.lost:.2f}'}"
        )
    if "idle_kindred" in results:
        ours, base = results["idle_kindred"], results["idle_baseline"]
        print(
            f"BENCH chat_idle_member rss_kib={ours / 1024:.1f} "
            f"baseline={base / 1024:.1f} ratio={ours / base:.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--layers", default=f"{PRODUCTION_LAYER},{OTHER_LAYER}")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_answers(redis_url):
        print(f"SKIP chat_fanout: no Redis answers at {redis_url} (start one or set REDIS_URL)")
        return 0
    with tempfile.TemporaryDirectory(prefix="chat-fanout-") as folder:
        for layer in args.layers.split(","):
            report(layer, run_layer(layer, Path(folder), redis_url, args))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
