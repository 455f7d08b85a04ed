"""Anonymity crawl: nothing a member can reach names another member.

Two people, Xanthe and Yorick, each belong to the shared community and to one of their own
(Xanthe's is members-only, Yorick's private), so each has two aliases. Both write topics,
replies and chat messages, react and report, from their own IP addresses. Then each crawls
every page they can reach and opens every socket they may, and nothing they receive may
carry the other's username, email, name, account id, IP address, or the other's alias in
the community they do not share. (The other's alias in the shared community is what peers
are meant to see.)
"""

import json
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import Alias, SiteSettings, User
from chat.models import Message, Room
from chat.services import message_send
from config.asgi import application
from forum.models import Community, Membership, Post, Topic
from forum.services import post_reply, reaction_toggle, topic_create
from moderation.models import QueueItem
from moderation.services import flag_submit, queue_item_decide
from tests.chat.conftest import forget_chat_state, send, session_cookie
from tests.conftest import make_community, make_member, make_user
from tests.security.counts import count_record

PASSWORD = "a-long-test-password"
SHARED = "commons"
MAX_PAGES = 200
# Links a crawl must not follow: they end the session or are not pages of the site.
SKIPPED = re.compile(r"/accounts/logout/|/admin/|/static/|/delete/|/leave/")


@dataclass(frozen=True)
class Person:
    """Everything that identifies one of the two people; none of it may reach the other."""

    pk: int
    username: str
    email: str
    first_name: str
    last_name: str
    ip: str
    forwarded_ip: str
    shared_alias: str  # what the other is meant to see
    own_community: str
    own_alias: str  # the alias in the community the other is not in
    own_visibility: str

    def secrets(self) -> dict[str, str]:
        """Each string that must never appear in what the other receives, by what it is."""
        return {
            "username": self.username,
            "email": self.email,
            "first name": self.first_name,
            "last name": self.last_name,
            "IP address": self.ip,
            "forwarded IP address": self.forwarded_ip,
            f"alias in {self.own_community}": self.own_alias,
        }

    def id_patterns(self) -> list[re.Pattern[str]]:
        """The account id where it would mean an account: a user-ish field or address."""
        return [
            re.compile(
                rf"""(?i)\b(?:user|account|owner|reporter|author|member|sender)"""
                rf"""(?:[_-]?(?:id|pk))?["']?\s*[:=]\s*["']?{self.pk}\b"""
            ),
            re.compile(rf"(?i)/(?:users?|accounts?|profiles?|members?)/{self.pk}\b"),
        ]


XANTHE = Person(
    pk=48611,
    username="xanthe_quillfeather",
    email="xanthe.quillfeather@example.org",
    first_name="Xanthippa",
    last_name="Quillfeather",
    ip="192.0.2.71",
    forwarded_ip="198.51.100.71",
    shared_alias="Lumenquist",
    own_community="kiln",
    own_alias="Cindervale",
    own_visibility=Community.Visibility.MEMBERS,
)
YORICK = Person(
    pk=52937,
    username="yorick_marrowgate",
    email="y.marrowgate@example.net",
    first_name="Yorickson",
    last_name="Marrowgate",
    ip="203.0.113.92",
    forwarded_ip="198.18.0.92",
    shared_alias="Tarnhollow",
    own_community="hollow",
    own_alias="Vesperlark",
    own_visibility=Community.Visibility.PRIVATE,
)
# Keys that would carry an account to a peer, in any JSON a socket sends.
USER_KEYS = {"user", "user_id", "username", "email", "account", "ip", "ip_address", "author_id"}


@dataclass
class Site:
    """What the crawl needs to know about the world it built."""

    users: dict[str, User]
    topics: dict[str, Topic]  # each person's topic in the shared community
    shared_room: Room
    moderator: User
    clients: dict[str, Client] = field(default_factory=dict)


def _person_client(person: Person) -> Client:
    """A browser at the person's address, logged in through the real log-in form."""
    client = Client(REMOTE_ADDR=person.ip, HTTP_X_FORWARDED_FOR=person.forwarded_ip)
    response = client.post("/accounts/login/", {"login": person.username, "password": PASSWORD})
    assert response.status_code == 302, "the log-in form refused the test account"
    return client


def _post_ok(client: Client, path: str, data: dict[str, str]) -> None:
    response = client.post(path, data)
    assert response.status_code in (200, 302), f"{path}: {response.status_code}"
    assert b"errorlist" not in response.content, f"{path} refused the form"


def build_site() -> Site:
    """The two people, their communities, and everything they wrote, through the pages
    (with their IPs) and through the services."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
    shared = make_community(SHARED, show_online_aliases=True)
    moderator = make_user("commons-moderator")
    make_member(moderator, shared, role=Membership.Role.MODERATOR)
    users = {}
    for person in (XANTHE, YORICK):
        user = make_user(
            person.username,
            password=PASSWORD,
            id=person.pk,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        own = make_community(person.own_community, visibility=person.own_visibility)
        Room.objects.create(community=own, name="Den", slug="den")
        for community, alias in ((shared, person.shared_alias), (own, person.own_alias)):
            membership = make_member(user, community)
            Alias.objects.filter(pk=membership.alias_id).update(name=alias)
        users[person.username] = user
    room = Room.objects.create(community=shared, name="Hearth room", slug="hearth-room")
    site = Site(users=users, topics={}, shared_room=room, moderator=moderator)
    for person in (XANTHE, YORICK):
        client = site.clients[person.username] = _person_client(person)
        _post_ok(
            client,
            f"/c/{SHARED}/new/",
            {"title": f"Evenings are long ({person.shared_alias})", "body": "Some days."},
        )
        _post_ok(
            client,
            f"/c/{person.own_community}/new/",
            {"title": "Only us here", "body": f"Written by {person.own_alias} alone."},
        )
        site.topics[person.username] = Topic.objects.get(
            community__slug=SHARED, author__name=person.shared_alias
        )
    for person, other in ((XANTHE, YORICK), (YORICK, XANTHE)):
        client = site.clients[person.username]
        topic = site.topics[other.username]
        # A reply through the page that mentions the other (they get a notification).
        _post_ok(
            client,
            f"/c/{SHARED}/t/{topic.pk}/reply/",
            {"body": f"@{other.shared_alias} same here, thank you for writing."},
        )
        first_post = topic.posts.get(number=1)
        _post_ok(client, f"/c/{SHARED}/p/{first_post.pk}/react/", {"kind": "support"})
        _post_ok(client, f"/c/{SHARED}/p/{first_post.pk}/flag/", {"reason": "spam"})
        _post_ok(client, f"/c/{SHARED}/t/{topic.pk}/follow/", {"follow": "1"})
        # And through the services: a second reply, a reaction, chat, a reported message.
        user = users[person.username]
        reply = post_reply(user=user, topic=site.topics[person.username], body="Replying myself.")
        reaction_toggle(user=users[other.username], post=reply, kind="metoo")
        own_room = Room.objects.get(community__slug=person.own_community)
        message_send(actor=user, room_id=own_room.pk, body="Alone in here.", client_id="own")
        for number in range(3):
            message_send(
                actor=user, room_id=room.pk, body=f"Chat line {number}", client_id=f"c{number}"
            )
    for person, other in ((XANTHE, YORICK), (YORICK, XANTHE)):
        theirs = Message.objects.filter(alias__name=other.shared_alias).first()
        flag_submit(reporter=users[person.username], message=theirs, reason="harassment")
        # The moderator's warning reaches the reported person: it must not say who reported.
        item = QueueItem.objects.get(message=theirs)
        queue_item_decide(actor=moderator, item=item, decision="warn", reason="Please be kind.")
    topic_create(user=moderator, community=shared, title="Welcome", body="House rules.")
    return site


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "action"} and value:
                self.links.append(value)


def _same_site_links(page: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    found = []
    for link in parser.links:
        url = urlsplit(urljoin(base, link))
        if url.scheme not in {"http", ""} or url.netloc not in {"", "testserver"}:
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.path.startswith("/") and not SKIPPED.search(url.path):
            found.append(path)
    return found


def leaks(text: str, other: Person) -> list[str]:
    """What of `other` the text gives away."""
    lowered = text.lower()
    found = [what for what, secret in other.secrets().items() if secret.lower() in lowered]
    if any(pattern.search(text) for pattern in other.id_patterns()):
        found.append("account id")
    return found


def response_text(response: Any) -> str:
    if not getattr(response, "streaming", False):
        return response.content.decode(errors="replace")
    if not response.is_async:
        return b"".join(response.streaming_content).decode(errors="replace")

    async def chunks() -> list[bytes]:  # the export download streams asynchronously
        return [chunk async for chunk in response.streaming_content]

    return b"".join(async_to_sync(chunks)()).decode(errors="replace")


@dataclass
class Crawl:
    pages: int = 0
    leaks: list[str] = field(default_factory=list)
    pages_naming_peer: int = 0  # pages with the other's shared alias, as they should be


def crawl(client: Client, seeds: list[str], other: Person) -> Crawl:
    """Every page reachable from `seeds` (bounded), and what each gives away of `other`."""
    queue = deque(seeds)
    seen = set(seeds)
    result = Crawl()
    while queue and result.pages < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        result.pages += 1
        text = response_text(response)
        result.leaks += [
            f"{path} ({response.status_code}) shows the {what}" for what in leaks(text, other)
        ]
        result.pages_naming_peer += other.shared_alias in text
        if response.status_code in (301, 302):
            links = [response["Location"]]
        elif "html" in response.get("Content-Type", ""):
            links = _same_site_links(text, path)
        else:
            links = []
        for link in links:
            if link not in seen and not SKIPPED.search(link):
                seen.add(link)
                queue.append(link)
    return result


def seeds_for(viewer: Person, other: Person, site: Site) -> list[str]:
    """The pages a member reaches (the crawl finds more), and the other's private ones."""
    own_topic = site.topics[viewer.username]
    # Words of the other's posts, private ones included (the search echoes the query, so
    # the query itself must not be a secret).
    words = ["Evenings", "alone", "Written", "thank"]
    return [
        "/",
        "/me/",
        "/me/export/",
        "/me/export.json",
        "/me/notices/",
        "/me/safety-plan/",
        "/notifications/",
        "/accounts/email/",
        f"/c/{SHARED}/",
        f"/c/{SHARED}/waiting/",
        f"/c/{SHARED}/chat/",
        f"/c/{SHARED}/chat/{site.shared_room.slug}/",
        f"/c/{SHARED}/t/{own_topic.pk}/",
        f"/c/{viewer.own_community}/",
        # The other's community: refused, and the refusal must not say whose it is.
        f"/c/{other.own_community}/",
        f"/c/{other.own_community}/chat/den/",
        *[f"/search/?q={word}" for word in words],
        *[f"/c/{SHARED}/search/?q={word}" for word in words],
    ]


def frame_leaks(frame: Any, other: Person) -> list[str]:
    """What a socket frame gives away: any key about an account, or the other's details."""
    found = leaks(json.dumps(frame), other)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if str(key).lower() in USER_KEYS:
                    found.append(f"a {key!r} field")
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(frame)
    return found


async def frames_until(
    communicator: WebsocketCommunicator, kind: str, text: str = "", timeout: float = 5
) -> list[Any]:
    """Every frame received up to and including the first of type `kind` (containing
    `text`): nothing is skipped unchecked, and no time is spent waiting for silence."""
    frames = []
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        frames.append(frame)
        if frame["type"] == kind and text in json.dumps(frame):
            return frames


async def open_socket(
    path: str, user: User, person: Person, *, after: int | None = None
) -> WebsocketCommunicator:
    """A socket as the person's browser opens it: same origin, session cookie, and the
    person's address (directly and through a proxy header)."""
    cookie = await database_sync_to_async(session_cookie)(user)
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        (b"x-forwarded-for", person.forwarded_ip.encode()),
    ]
    if after is not None:
        path = f"{path}?after={after}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = (person.ip, 50123)  # read by the app when it starts
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def socket_frames(viewer: Person, other: Person, site: Site) -> list[Any]:
    """Every frame the viewer gets on every socket they may open while the other is active
    in the shared room: catch-up, history pages, live messages, typing, presence, and the
    topic page's live updates."""
    me = site.users[viewer.username]
    them = site.users[other.username]
    room = f"/ws/chat/{SHARED}/{site.shared_room.slug}/"
    mine = await open_socket(room, me, viewer)
    # A socket sends the catch-up, then the presence frame.
    frames = await frames_until(mine, "presence")
    ids = [frame["id"] for frame in frames if frame["type"] == "message"]
    before = max(ids)
    while True:
        await send(mine, type="history", before=before, limit=2)
        received = await frames_until(mine, "history")
        frames += received
        page = received[-1]
        if not page["has_more"]:
            break
        before = page["messages"][0]["id"]
    assert page["messages"][0]["id"] == min(ids), "history paging did not reach the start"
    # The other joins, types and writes: typing and the live message reach the viewer.
    theirs = await open_socket(room, them, other)
    await frames_until(theirs, "presence")
    await send(theirs, type="typing")
    await send(theirs, type="send", client_id=str(uuid.uuid4()), body="Live from the other")
    frames += await frames_until(mine, "typing")
    frames += await frames_until(mine, "message", "Live from the other")
    # A reconnect that catches up `after` an id, as a browser does; the viewer's own room.
    again = await open_socket(room, me, viewer, after=min(ids))
    frames += await frames_until(again, "presence")
    own_room = await open_socket(f"/ws/chat/{viewer.own_community}/den/", me, viewer)
    frames += await frames_until(own_room, "presence")
    # The topic page's live updates, while the moderator hides the other's reply.
    topic = site.topics[viewer.username]
    page_socket = await open_socket(f"/ws/topic/{SHARED}/{topic.pk}/", me, viewer)
    await database_sync_to_async(_moderator_hides_reply)(site, topic, other)
    frames += await frames_until(page_socket, "post_state")
    for communicator in (mine, theirs, again, own_room, page_socket):
        await communicator.disconnect()
    return frames


def _moderator_hides_reply(site: Site, topic: Topic, other: Person) -> None:
    reply = Post.objects.get(topic=topic, author__name=other.shared_alias)
    flag_submit(reporter=site.moderator, post=reply, reason="other", note="checking")


@pytest.mark.django_db(transaction=True)
async def test_no_page_or_frame_a_member_reaches_identifies_the_other() -> None:
    forget_chat_state()
    site = await database_sync_to_async(build_site)()
    found: list[str] = []
    pages_total = 0
    frames_total = 0
    for viewer, other in ((XANTHE, YORICK), (YORICK, XANTHE)):
        client = site.clients[viewer.username]
        pages = await database_sync_to_async(crawl)(client, seeds_for(viewer, other, site), other)
        pages_total += pages.pages
        found += [f"{viewer.username} sees: {leak}" for leak in pages.leaks]
        frames = await socket_frames(viewer, other, site)
        frames_total += len(frames)
        for frame in frames:
            found += [
                f"{viewer.username} gets a frame with {leak}" for leak in frame_leaks(frame, other)
            ]
        # What a peer is meant to see does reach them: the crawl and the sockets did look at
        # the other's words, not only at empty pages.
        assert pages.pages_naming_peer >= 3, pages
        assert any(other.shared_alias in json.dumps(frame) for frame in frames)
    forget_chat_state()
    count_record("anonymity: pages crawled", pages_total)
    count_record("anonymity: websocket frames checked", frames_total)
    assert found == [], "\n".join(found)
