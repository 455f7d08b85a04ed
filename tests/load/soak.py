"""Soak: members on two daphne processes (PostgreSQL and Redis) chat over WebSockets and read
and write the forum over HTTP for a while; then nothing written may be lost or doubled, no
process may have grown, and the servers may have logged no error.

    .venv/bin/python tests/load/soak.py [--seconds 600] [--members 200]
        [--redis-url redis://127.0.0.1:6379/0] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

`make soak` runs the ten-minute soak; CI runs `--seconds 30`. The run gets its own database
(`kindred_soak_<pid>`, created on the server of --database-url and dropped afterwards) and
its own Redis key prefix. Each member is signed in (a session of their own), belongs to the
community `soak`, keeps a socket open to one chat room (50 members a room, each room spread
over both processes) and, every 20 s on average, does one thing: send a chat message (60 %,
after a typing frame), open a page (25 %: the topic list, a topic, the chat page, home),
reply to a topic (11 %) or start one (4 %), the writes through the forms with their CSRF
token. The first tenth of the run (10 to 60 s) is the warm-up: memory is measured from its
end. Afterwards it checks that
- every acknowledged chat message is stored exactly once (by client_id), and every post
  answered with a redirect to it is stored exactly once (by a unique marker in its body);
- every member's socket received every message of its room exactly once;
- no daphne process's resident memory (VmRSS) grew by more than 20 % after the warm-up;
- the servers logged no error and no traceback, and no message or post body.
It prints progress every 10 s (with the PostgreSQL connections the servers hold), then the
checks, and last a line `soak: N messages acked, M posts, L lost, D duplicated`; it exits 1
when a check fails, keeping the server logs in artefacts/<database name>/. It prints SKIPPED
with the reason, and exits 0, only when PostgreSQL or Redis does not answer. Figures and
what the soak found: bench/README.md, "Soak".
"""

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.exceptions import ConnectionClosed  # noqa: E402

from bench.chat_fanout import ChatClient, connect_all  # noqa: E402
from bench.servers import (  # noqa: E402
    PYTHON,
    Server,
    manage,
    postgres_answers,
    redis_answers,
    server_env,
    start_daphne,
    wait_for,
)

SLUG = "soak"
MEMBERS_PER_ROOM = 50
SEED_TOPICS = 10
MAX_RSS_GROWTH = 0.20
PROGRESS_EVERY_SECONDS = 10.0
HTTP_TIMEOUT_SECONDS = 30.0
# What a member does each time they act, with its share of actions.
ACTIONS = (("chat", 0.60), ("read", 0.25), ("reply", 0.11), ("topic", 0.04))
CHAT_LINES = (
    "Morning everyone, slept a bit better last night.",
    "Anyone else find Sundays the hardest?",
    "Went for a short walk today, small win.",
    "Thanks for listening yesterday, it helped more than you know.",
    "Trying the breathing exercise again before work.",
    "How is everyone holding up this week?",
)
# A small share of messages carries words the crisis detector reads as concern, as real
# rooms do: screening records it and the writer may get the support frame.
CONCERN_LINE = "some days I feel hopeless and like a burden to everyone"
POST_TEXT = (
    "Checking in after a long week. I used the grounding list from the group when things "
    "got loud, and **it helped**.\n\n> one day at a time\n\nHow are you all doing?"
)
MARKER_PATTERN = re.compile(r"soak-(?:msg|post)-[0-9a-f]{16}")
LOG_PROBLEM_PATTERN = re.compile(r"\b(?:ERROR|CRITICAL)\b|Traceback|Exception")
# Where a new log record starts: a logging line, or a line of daphne's access log.
LOG_RECORD_START = re.compile(r"^(?:\d{4}-\d\d-\d\d |\d+\.\d+\.\d+\.\d+:\d+ )")
CSRF_PATTERN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOPIC_LOCATION_PATTERN = re.compile(rf"^/c/{SLUG}/t/(\d+)/")


def say(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def marker(kind: str) -> str:
    return f"soak-{kind}-{uuid.uuid4().hex[:16]}"


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- The site -----------------------------------------------------------------------------

_SETUP_SCRIPT = """
import json, sys
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from accounts.models import User
from chat.models import Room
from forum.models import Membership
from forum.services import community_create, membership_grant, topic_create
count, rooms, slug, seed_topics = {count}, {rooms}, {slug!r}, {seed_topics}
community = community_create(name="Soak", slug=slug)
room_slugs = [f"{{slug}}-{{n}}" for n in range(rooms)]
for room_slug in room_slugs:
    Room.objects.create(community=community, slug=room_slug, name=room_slug)
users, keys = [], []
for n in range(count):
    user = User.objects.create(username=f"{{slug}}-{{n}}")
    membership_grant(user=user, community=community)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    users.append(user)
    keys.append(session.session_key)
# Established members: the new-member limits (a few topics and replies a day) would stop them.
Membership.objects.filter(community=community).update(joined=timezone.now() - timedelta(days=30))
topics = [
    topic_create(
        user=users[n % count], community=community, title=f"Check-in {{n}}",
        body="How is everyone doing today?",
    ).pk
    for n in range(seed_topics)
]
sys.stdout.write("\\n" + json.dumps({{"sessions": keys, "rooms": room_slugs, "topics": topics}}))
"""

_STORED_SCRIPT = """
import json, re, sys
from collections import Counter
from chat.models import Message
from forum.models import Post
messages = [
    [room, pk, client_id]
    for room, pk, client_id in Message.objects.filter(room__community__slug={slug!r})
    .values_list("room__slug", "id", "client_id")
]
markers = Counter()
for source in Post.objects.filter(topic__community__slug={slug!r}).values_list(
    "source", flat=True
).iterator():
    markers.update(re.findall(r"soak-post-[0-9a-f]{{16}}", source))
sys.stdout.write("\\n" + json.dumps({{"messages": messages, "posts": markers}}))
"""


def shell(env: dict[str, str], script: str) -> Any:
    """Run a manage.py shell script that writes one JSON line last; return it parsed."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def database_create(admin_url: str, name: str) -> str:
    """Create database `name` on the server of `admin_url`; return its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_connections(database_url: str) -> int:
    """How many connections the servers hold to the run's database (this one not counted)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


def database_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Members --------------------------------------------------------------------------------


@dataclass
class SoakChatClient(ChatClient):
    """A member's socket that also counts refusals and times each acknowledgement."""

    errors: Counter[str] = field(default_factory=Counter)
    refused: set[str] = field(default_factory=set)
    sent_at: dict[str, float] = field(default_factory=dict)
    ack_ms: list[float] = field(default_factory=list)

    def _receive(self, raw: str | bytes) -> None:
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "message":
            self.ids.append(frame["id"])
            if frame["client_id"]:
                self.arrivals.setdefault(frame["client_id"], time.perf_counter())
        elif kind == "ack":
            client_id = frame["client_id"]
            self.acked[client_id] = frame["id"]
            self.pending.pop(client_id, None)
            sent = self.sent_at.pop(client_id, None)
            if sent is not None:
                self.ack_ms.append((time.perf_counter() - sent) * 1000)
        elif kind == "error":
            code = str(frame.get("code"))
            self.errors[code] += 1
            client_id = frame.get("client_id")
            # "unavailable" means: not stored, try again; every other refusal is final.
            if client_id and code == "unavailable":
                asyncio.get_running_loop().call_later(1.0, self._resend, client_id)
            elif client_id:
                self.pending.pop(client_id, None)
                self.refused.add(client_id)

    def _resend(self, client_id: str) -> None:
        body = self.pending.get(client_id)
        if body is not None:
            asyncio.get_running_loop().create_task(self._send_frame(client_id, body))

    async def chat(self, client_id: str, body: str) -> None:
        # A typing frame is best effort; the message itself is re-sent until acknowledged.
        with contextlib.suppress(ConnectionClosed):
            if self.socket is not None:
                await self.socket.send('{"type": "typing"}')
        self.sent_at[client_id] = time.perf_counter()
        await self.send(client_id, body)


class ForumMember:
    """A signed-in member's browser for the forum: cookies, CSRF tokens, forms (blocking)."""

    def __init__(self, session_key: str, server: Server) -> None:
        self.cookies = {"sessionid": session_key}
        self.port = server.port

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """(status, Location, body text) of one request on a fresh connection."""
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        payload = None
        if form is not None:
            payload = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=HTTP_TIMEOUT_SECONDS
        )
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), body


@dataclass
class Tally:
    """What the members did, and what went wrong, for progress and the checks."""

    posts: dict[str, int] = field(default_factory=dict)  # marker -> topic id
    topics: list[int] = field(default_factory=list)
    pages: int = 0
    http_ms: list[float] = field(default_factory=list)
    http_failures: Counter[str] = field(default_factory=Counter)
    chats_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # members act from threads


def forum_read(member: ForumMember, path: str, tally: Tally) -> str:
    started = time.perf_counter()
    status, _, body = member.request("GET", path)
    with tally.lock:
        tally.http_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            tally.http_failures[f"GET {path.split('?')[0]} {status}"] += 1
            return ""
        tally.pages += 1
    return body


def forum_write(
    member: ForumMember, form_path: str, post_path: str, form: dict[str, str]
) -> tuple[int | str, str]:
    """Open the form page for its CSRF token, then post; the post's (status, Location)."""
    _, _, page = member.request("GET", form_path)
    token = CSRF_PATTERN.search(page)
    if token is None:
        return "no-csrf-token", ""
    status, location, _ = member.request(
        "POST", post_path, {**form, "csrfmiddlewaretoken": token[1]}
    )
    return status, location


def forum_post(member: ForumMember, kind: str, rng: random.Random, tally: Tally) -> None:
    """Start a topic or reply to one; count it when the answer redirects to it."""
    text = marker("post")
    body = f"{POST_TEXT}\n\n{text}"
    if kind == "topic":
        form = {"title": f"Week check-in {rng.randrange(10**6)}", "body": body}
        status, location = forum_write(member, f"/c/{SLUG}/new/", f"/c/{SLUG}/new/", form)
    else:
        topic = rng.choice(tally.topics)
        topic_path = f"/c/{SLUG}/t/{topic}/"
        status, location = forum_write(member, topic_path, f"{topic_path}reply/", {"body": body})
    found = TOPIC_LOCATION_PATTERN.match(location)
    with tally.lock:
        if status != 302 or found is None:
            tally.http_failures[f"POST {kind} {status}"] += 1
            return
        tally.posts[text] = int(found[1])
        if kind == "topic":
            tally.topics.append(int(found[1]))
    # A browser follows the redirect, which also shows (and clears) the confirmation.
    forum_read(member, location.split("#")[0], tally)


def forum_browse(member: ForumMember, room: str, rng: random.Random, tally: Tally) -> None:
    path = rng.choice(
        [
            f"/c/{SLUG}/",
            f"/c/{SLUG}/t/{rng.choice(tally.topics)}/",
            f"/c/{SLUG}/t/{rng.choice(tally.topics)}/",
            f"/c/{SLUG}/chat/{room}/",
            "/",
        ]
    )
    forum_read(member, path, tally)


async def member_life(
    number: int,
    client: SoakChatClient,
    forum: ForumMember,
    room: str,
    tally: Tally,
    *,
    think_seconds: float,
    stop_at: float,
) -> None:
    """One member acting every `think_seconds` on average until `stop_at`."""
    rng = random.Random(number)
    kinds = [kind for kind, _ in ACTIONS]
    weights = [weight for _, weight in ACTIONS]
    loop = asyncio.get_running_loop()
    while True:
        pause = rng.expovariate(1 / think_seconds)
        if loop.time() + pause >= stop_at:
            return
        await asyncio.sleep(pause)
        (kind,) = rng.choices(kinds, weights)
        try:
            if kind == "chat":
                line = CONCERN_LINE if rng.random() < 0.03 else rng.choice(CHAT_LINES)
                tally.chats_sent += 1
                await client.chat(f"c-{uuid.uuid4().hex}", f"{line} {marker('msg')}")
            elif kind == "read":
                await asyncio.to_thread(forum_browse, forum, room, rng, tally)
            else:
                await asyncio.to_thread(forum_post, forum, kind, rng, tally)
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.http_failures[f"{kind} {type(error).__name__}"] += 1


# --- The run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    clients: list[SoakChatClient]
    tally: Tally
    rss_warm: dict[int, int]
    rss_end: dict[int, int]
    cpu_share: dict[int, float]  # of one core, from the end of the warm-up to the end
    connections_max: int  # to PostgreSQL, from both servers, at the progress ticks
    stored: dict[str, Any]
    deliveries_missed: int
    deliveries_doubled: int


async def soak(
    servers: list[Server],
    env: dict[str, str],
    site: dict[str, Any],
    *,
    seconds: float,
    think_seconds: float,
) -> Outcome:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=32))
    sessions, rooms = site["sessions"], site["rooms"]
    tally = Tally(topics=list(site["topics"]))
    clients, forums, member_rooms = [], [], []
    for number, key in enumerate(sessions):
        room = rooms[number % len(rooms)]
        home, other = (
            servers[(number // len(rooms)) % 2],
            servers[(number // len(rooms) + 1) % 2],
        )
        clients.append(
            SoakChatClient(key, [home.ws_url, other.ws_url], path=f"/ws/chat/{SLUG}/{room}/")
        )
        forums.append(ForumMember(key, home))
        member_rooms.append(room)
    started = time.monotonic()
    await connect_all(clients)
    say(f"[soak] {len(clients)} members connected in {time.monotonic() - started:.1f}s")

    warmup = min(60.0, max(10.0, seconds / 10)) if seconds >= 20 else seconds / 2
    start = loop.time()
    stop_at = start + seconds
    lives = [
        loop.create_task(
            member_life(
                number,
                client,
                forum,
                room,
                tally,
                think_seconds=think_seconds,
                stop_at=stop_at,
            )
        )
        for number, (client, forum, room) in enumerate(
            zip(clients, forums, member_rooms, strict=True)
        )
    ]
    pids = [server.process.pid for server in servers]
    rss_warm: dict[int, int] = {}
    connections_max = 0
    cpu_warm = {pid: cpu_seconds(pid) for pid in pids}
    warm_at = start
    next_progress = start + PROGRESS_EVERY_SECONDS
    while loop.time() < stop_at:
        await asyncio.sleep(min(1.0, max(0.0, stop_at - loop.time())))
        now = loop.time()
        if not rss_warm and now - start >= warmup:
            rss_warm = {pid: rss_kib(pid) for pid in pids}
            cpu_warm, warm_at = {pid: cpu_seconds(pid) for pid in pids}, now
            say(f"[soak] warm-up over at {now - start:.0f}s: RSS " + rss_text(rss_warm))
        if now >= next_progress:
            next_progress += PROGRESS_EVERY_SECONDS
            acked = sum(len(client.acked) for client in clients)
            rss = {pid: rss_kib(pid) for pid in pids}
            connections = await asyncio.to_thread(database_connections, env["DATABASE_URL"])
            connections_max = max(connections_max, connections)
            say(
                f"[soak] {now - start:5.0f}s  acked {acked}  posts {len(tally.posts)}  "
                f"pages {tally.pages}  failures {sum(tally.http_failures.values())}  "
                f"db connections {connections}  RSS {rss_text(rss)}"
            )
    await asyncio.gather(*lives)
    cpu_share = {
        pid: (cpu_seconds(pid) - cpu_warm[pid]) / max(1e-9, loop.time() - warm_at) for pid in pids
    }
    say("[soak] traffic stopped; waiting for the last acknowledgements")
    await wait_for(lambda: not any(client.pending for client in clients), 20, interval=0.2)
    stored = await asyncio.to_thread(shell, env, _STORED_SCRIPT.format(slug=SLUG))
    room_ids: dict[str, set[int]] = {room: set() for room in rooms}
    for room, pk, _ in stored["messages"]:
        room_ids[room].add(pk)

    def missed() -> int:
        return sum(
            len(room_ids[room] - set(client.ids))
            for client, room in zip(clients, member_rooms, strict=True)
        )

    await wait_for(lambda: missed() == 0, 10, interval=0.2)
    rss_end = {pid: rss_kib(pid) for pid in pids}
    doubled = sum(len(client.ids) - len(set(client.ids)) for client in clients)
    deliveries_missed = missed()
    await asyncio.gather(*(client.stop() for client in clients))
    # Let the servers finish closing the sockets before they are stopped: a process stopped
    # amid hundreds of unsubscribes logs each clean-up it had to cancel (channels-redis).
    await asyncio.sleep(3)
    return Outcome(
        clients=clients,
        tally=tally,
        rss_warm=rss_warm or rss_end,
        rss_end=rss_end,
        cpu_share=cpu_share,
        connections_max=connections_max,
        stored=stored,
        deliveries_missed=deliveries_missed,
        deliveries_doubled=doubled,
    )


def rss_text(rss: dict[int, int]) -> str:
    return "  ".join(f"pid {pid} {kib / 1024:.1f} MiB" for pid, kib in rss.items())


def log_problems(servers: list[Server]) -> tuple[list[list[str]], int]:
    """Error records the servers logged (each with its traceback, if any), and how many
    message or post bodies leaked into the logs.
    """
    problems: list[list[str]] = []
    leaked = 0
    for server in servers:
        text = server.log()
        leaked += len(MARKER_PATTERN.findall(text))
        in_record = False
        for line in text.splitlines():
            if in_record and not LOG_RECORD_START.match(line):
                problems[-1].append(line[:300])  # the error's traceback, up to the next record
                continue
            in_record = bool(LOG_PROBLEM_PATTERN.search(line))
            if in_record:
                problems.append([f"port {server.port}: {line[:300]}"])
    return problems, leaked


def logs_keep(servers: list[Server], name: str) -> Path:
    """Copy the servers' logs where they outlive the run (artefacts/ is not committed)."""
    folder = ROOT / "artefacts" / name
    folder.mkdir(parents=True, exist_ok=True)
    for server in servers:
        shutil.copy(server.log_path, folder / server.log_path.name)
    return folder


def check(outcome: Outcome, servers: list[Server], seconds: float) -> tuple[list[str], str]:
    """Report the figures; return the failed checks and the final summary line."""
    clients, tally = outcome.clients, outcome.tally
    failures: list[str] = []

    acked = {cid: pk for client in clients for cid, pk in client.acked.items()}
    by_client_id = Counter(client_id for _, _, client_id in outcome.stored["messages"])
    messages_lost = [cid for cid in acked if by_client_id[cid] == 0]
    messages_doubled = [cid for cid, count in by_client_id.items() if count > 1]
    post_counts = Counter(outcome.stored["posts"])
    posts_lost = [text for text in tally.posts if post_counts[text] == 0]
    posts_doubled = [text for text, count in post_counts.items() if count > 1]
    lost = len(messages_lost) + len(posts_lost)
    doubled = len(messages_doubled) + len(posts_doubled)
    if lost or doubled:
        failures.append(
            f"stored: {len(messages_lost)} acknowledged messages and {len(posts_lost)} posts "
            f"missing, {len(messages_doubled)} messages and {len(posts_doubled)} posts stored "
            "more than once"
        )

    unacked = sum(len(client.pending) for client in clients)
    errors = sum((client.errors for client in clients), Counter())
    refused = sum(len(client.refused) for client in clients)
    ack_ms = [ms for client in clients for ms in client.ack_ms]
    say(
        f"chat: {tally.chats_sent} sent, {len(acked)} acknowledged, {refused} refused, "
        f"{unacked} never acknowledged; ack p50 {percentile(ack_ms, 0.5):.0f} ms, "
        f"p99 {percentile(ack_ms, 0.99):.0f} ms; error frames {dict(errors) or 'none'}"
    )
    if unacked or refused:
        failures.append(f"chat: {unacked} messages never acknowledged, {refused} refused")

    expected_deliveries = sum(len(client.ids) for client in clients) + outcome.deliveries_missed
    say(
        f"deliveries: {expected_deliveries} expected, {outcome.deliveries_missed} missed, "
        f"{outcome.deliveries_doubled} duplicated"
    )
    if outcome.deliveries_missed or outcome.deliveries_doubled:
        failures.append(
            f"deliveries: {outcome.deliveries_missed} missed, "
            f"{outcome.deliveries_doubled} duplicated"
        )

    say(
        f"forum: {len(tally.posts)} posts ({len(tally.topics) - SEED_TOPICS} topics), "
        f"{tally.pages} pages; request p50 {percentile(tally.http_ms, 0.5):.0f} ms, "
        f"p99 {percentile(tally.http_ms, 0.99):.0f} ms; "
        f"failures {dict(tally.http_failures) or 'none'}"
    )
    if tally.http_failures:
        failures.append(f"forum: failed requests {dict(tally.http_failures)}")

    for pid, end in outcome.rss_end.items():
        warm = outcome.rss_warm[pid]
        growth = end / warm - 1
        say(
            f"memory: pid {pid} {warm / 1024:.1f} MiB after warm-up, {end / 1024:.1f} MiB "
            f"at the end ({growth:+.1%}); CPU {outcome.cpu_share[pid]:.0%} of a core"
        )
        if growth > MAX_RSS_GROWTH:
            failures.append(f"memory: pid {pid} grew {growth:+.1%} (limit {MAX_RSS_GROWTH:.0%})")

    problems, leaked = log_problems(servers)
    say(f"logs: {len(problems)} errors or tracebacks, {leaked} message or post bodies")
    for record in problems[:5]:
        for line in record[:80]:
            say(f"  {line}")
    if problems:
        failures.append(f"logs: {len(problems)} errors or tracebacks")
    if leaked:
        failures.append(f"logs: {leaked} bodies written to the server logs")

    say(f"database: at most {outcome.connections_max} connections from the two servers")
    say(
        f"rates: {len(acked) / seconds:.1f} messages/s, {len(tally.posts) / seconds:.2f} "
        f"posts/s, {tally.pages / seconds:.1f} pages/s over {seconds:.0f}s"
    )
    summary = f"soak: {len(acked)} messages acked, {len(tally.posts)} posts, {lost} lost, {doubled} duplicated"
    return failures, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=20,
        help="mean time between one member's actions (default 20)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server (any database on it); the soak creates its own there",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres") or not postgres_answers(args.database_url):
        say(f"SKIPPED: soak needs PostgreSQL; nothing answers at {args.database_url}")
        return 0
    if not redis_answers(args.redis_url):
        say(f"SKIPPED: soak needs Redis; nothing answers PING at {args.redis_url}")
        return 0

    name = f"kindred_soak_{os.getpid()}"
    rooms = max(1, round(args.members / MEMBERS_PER_ROOM))
    say(
        f"[soak] {args.members} members in {rooms} rooms on 2 daphne processes for "
        f"{args.seconds:.0f}s; database {name}"
    )
    database_url = database_create(args.database_url, name)
    servers: list[Server] = []
    try:
        with tempfile.TemporaryDirectory(prefix="kindred-soak-") as folder:
            env = server_env(
                database_url=database_url,
                redis_url=args.redis_url,
                extra={
                    "DJANGO_SETTINGS_MODULE": "tests.load.soak_settings",
                    "KINDRED_SOAK_PREFIX": name,
                },
            )
            manage(env, "migrate", "--noinput")
            site = shell(
                env,
                _SETUP_SCRIPT.format(
                    count=args.members, rooms=rooms, slug=SLUG, seed_topics=SEED_TOPICS
                ),
            )
            servers = [start_daphne(env, Path(folder)) for _ in range(2)]
            say(f"[soak] daphne pids {[s.process.pid for s in servers]}")
            outcome = asyncio.run(
                soak(servers, env, site, seconds=args.seconds, think_seconds=args.think_seconds)
            )
            for server in servers:
                server.stop()
            failures, summary = check(outcome, servers, args.seconds)
            if failures:
                say(f"[soak] server logs kept in {logs_keep(servers, name)}")
    finally:
        for server in servers:
            server.stop()
        database_drop(args.database_url, name)
    for failure in failures:
        say(f"FAILED {failure}")
    say(summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
