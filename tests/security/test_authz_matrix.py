"""Authorisation matrix: every URL pattern and WebSocket route, for every kind of visitor.

The expected answers live in one table per protocol below. A URL pattern or socket route
without a row fails `test_every_url_pattern_has_a_row_in_the_matrix`, so a new page can't
be added without someone deciding who may open it.
"""

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from accounts.models import SiteSettings, User
from accounts.services import reader_word_mute
from chat.models import Message, Room
from chat.services import message_send
from config.asgi import application
from config.routing import websocket_urlpatterns
from forum import admin_services
from forum.models import Community, Invitation, Membership, Post, Topic
from forum.services import community_join, post_reply, topic_create
from moderation.models import CrisisFeedback, LexiconEntry, MemberNotice, QueueItem, WatchedWord
from moderation.services import check_in_send, flag_submit
from tests.chat.conftest import forget_chat_state, session_cookie
from tests.conftest import helplines_present, make_community, make_member, make_user
from tests.security.counts import count_record
from tests.security.urlwalk import UrlCase, concrete_path, parameters, resolves_to, url_cases

VISITOR, MEMBER, OTHER_MEMBER, MODERATOR, OTHER_MODERATOR, STAFF, ADMIN = ROLES = (
    "visitor",
    "member",
    "other-member",
    "moderator",
    "other-moderator",
    "staff",
    "admin",
)
HOME = "hearth"  # the members-only community the world is about
AWAY = "meadow"  # the public community the "other" roles belong to
ROOM = "evening"
SECRET = "Ottoline-hearth-secret"  # in every text of community A: outsiders must never read it


@dataclass
class World:
    """Community A (members-only, joining by approval) with one of everything, and B."""

    home: Community
    away: Community
    users: dict[str, User | None]
    topic: Topic
    post: Post
    room: Room
    message: Message
    item: QueueItem
    notice: MemberNotice
    filter_id: int
    alias_id: int
    invitation: Invitation
    applicant: Membership

    def users_alias(self, role: str) -> str:
        """The alias of a role's account in A (for the forms that name a member)."""
        return Membership.objects.get(user=self.users[role], community=self.home).alias.name

    def url_values(self) -> dict[str, str]:
        """Concrete values for every URL parameter name, from this world."""
        return {
            "community": self.home.slug,
            "topic_id": str(self.topic.pk),
            "post_id": str(self.post.pk),
            "room": self.room.slug,
            "message_id": str(self.message.pk),
            "item_id": str(self.item.pk),
            "alias_id": str(self.alias_id),
            "notice_id": str(self.notice.pk),
            "filter_id": str(self.filter_id),
            "number": "1",
            "code": self.invitation.code,
        }


def build_world() -> World:
    """One members-only community with a topic, reply, room, message, flag, queue item,
    notice and invitation, plus a public community for the "other" roles."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
    helplines_present()
    home = make_community(
        HOME, visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.APPROVAL
    )
    away = make_community(AWAY)
    member = make_user("authz-member")
    peer = make_user("authz-peer")
    moderator = make_user("authz-moderator")
    other_member = make_user("authz-other-member")
    other_moderator = make_user("authz-other-moderator")
    staff = make_user("authz-staff", is_staff=True)
    admin = make_user("authz-admin", is_staff=True, is_superuser=True)
    membership = make_member(member, home)
    make_member(peer, home)
    make_member(moderator, home, role=Membership.Role.MODERATOR)
    make_member(other_member, away)
    make_member(other_moderator, away, role=Membership.Role.MODERATOR)
    topic = topic_create(
        user=member, community=home, title=f"Topic {SECRET}", body=f"First post {SECRET}"
    )
    post = topic.posts.get(number=1)
    post_reply(user=peer, topic=topic, body=f"A reply {SECRET}")
    room = Room.objects.create(community=home, name="Evening", slug=ROOM)
    sent = message_send(actor=member, room_id=room.pk, body=f"Chat {SECRET}", client_id="c-1")
    message = Message.objects.get(pk=sent.message_id)
    flag_submit(reporter=peer, post=post, reason="spam")
    item = QueueItem.objects.get(post=post)
    notice = check_in_send(actor=moderator, item=item)
    muted = reader_word_mute(user=member, phrase="thunder")
    invitation = admin_services.invitation_create(actor=admin, community=home)
    applicant = community_join(user=make_user("authz-applicant"), community=home, answer="hi")
    # One row of every model the admin lists, so that its change pages have an object.
    Group.objects.create(name="helpers")
    EmailAddress.objects.create(user=member, email="member@example.com")
    Authenticator.objects.create(
        user=admin, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    WatchedWord.objects.create(community=home, phrase="lightning")
    LexiconEntry.objects.create(phrase="authz lexicon probe", note="matrix")
    CrisisFeedback.objects.create(verdict="correct", text="probe", detected_severity="none")
    return World(
        home=home,
        away=away,
        users={
            VISITOR: None,
            MEMBER: member,
            OTHER_MEMBER: other_member,
            MODERATOR: moderator,
            OTHER_MODERATOR: other_moderator,
            STAFF: staff,
            ADMIN: admin,
        },
        topic=topic,
        post=post,
        room=room,
        message=message,
        item=item,
        notice=notice,
        filter_id=muted.pk,
        alias_id=membership.alias_id,
        invitation=invitation,
        applicant=applicant,
    )


def role_clients(world: World) -> dict[str, Client]:
    clients = {}
    for role, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


# --- The expected answers ---------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to `target` (formatted with the world's URL values); `prefix` also accepts
    anything after it, such as the login page's `?next=`."""

    target: str
    prefix: bool = False

    def matches(self, location: str, values: dict[str, str]) -> bool:
        target = self.target.format(**values)
        return location.startswith(target) if self.prefix else location == target

    def __str__(self) -> str:
        return f"302→{self.target}{'…' if self.prefix else ''}"


Answer = int | Redirect
LOGIN = Redirect("/accounts/login/?next=", prefix=True)
ADMIN_LOGIN = Redirect("/admin/login/?next=", prefix=True)
ALLOWED = None  # in a POST row: this role may do it, so the test does not (it would write)
# A 405 refuses the method, not the person: admin:logout answers a staff member's GET with
# 405, and their POST would log them out. Rows with a 405 say explicitly who gets a POST.
REFUSALS: tuple[Answer, ...] = (LOGIN, ADMIN_LOGIN, 400, 401, 403, 404, 410)


@dataclass(frozen=True)
class Row:
    """What each role gets: `get` for a GET, `post` for a POST (None: same as `get` for
    the roles a GET refuses, and no POST for the others)."""

    get: tuple[Answer, ...]
    post: tuple[Answer | None, ...] | None = None

    def post_answers(self) -> tuple[Answer | None, ...]:
        if self.post is not None:
            return self.post
        return tuple(answer if answer in REFUSALS else ALLOWED for answer in self.get)


def row(*get: Answer, post: tuple[Answer | None, ...] | None = None) -> Row:
    assert len(get) == len(ROLES) and (post is None or len(post) == len(ROLES))
    return Row(get=get, post=post)


def everyone(answer: Answer) -> Row:
    return row(*[answer] * len(ROLES))


def signed_in(answer: Answer = 200) -> Row:
    """Anyone with an account; visitors are sent to log in."""
    return row(LOGIN, *[answer] * (len(ROLES) - 1))


def own_data_post() -> Row:
    """A POST-only page about the signed-in member's own data: any account, no visitor."""
    return row(*[405] * len(ROLES), post=(LOGIN, *[ALLOWED] * (len(ROLES) - 1)))


N405 = (405,) * len(ROLES)
TO_TOPIC = Redirect("/c/{community}/t/{topic_id}/#post-1")
TO_COMMUNITY = Redirect("/c/{community}/")
TO_ME = Redirect("/me/")
TO_FILTERS = Redirect("/me/#filters")
TO_HOME = Redirect("/")
TO_REAUTH = Redirect("/accounts/reauthenticate/?next=", prefix=True)
# Roles, in order:  visitor     member    other-member  moderator  other-moderator  staff  admin
# (member and moderator are of community A, "hearth"; the "other" roles are of B, "meadow";
# staff and admin belong to no community.)
MATRIX: dict[str, Row] = {
    # Forum: A is members-only, so only its members read it; staff read it through the
    # moderation pages and the admin, not as readers.
    "forum:home": everyone(200),
    "forum:search_all": everyone(200),
    "forum:notifications": signed_in(),
    "forum:community": row(403, 200, 403, 200, 403, 403, 403),
    "forum:waiting": row(403, 200, 403, 200, 403, 403, 403),
    "forum:search": row(403, 200, 403, 200, 403, 403, 403),
    "forum:topic": row(403, 200, 403, 200, 403, 403, 403),
    # Anyone may ask to join (A asks moderators to approve); leaving is a no-op for those
    # who are not members.
    "forum:community_join": row(*N405, post=(LOGIN, *[ALLOWED] * 6)),
    "forum:community_leave": row(
        *N405, post=(LOGIN, ALLOWED, TO_HOME, ALLOWED, TO_HOME, TO_HOME, TO_HOME)
    ),
    # The empty form is shown to any account (the rules come with the refusal); writing
    # needs an active membership.
    "forum:topic_create": row(
        LOGIN, 200, 200, 200, 200, 200, 200, post=(LOGIN, ALLOWED, 403, ALLOWED, 403, 403, 403)
    ),
    # Outsiders don't learn the topic exists (and a refused reply must not re-render it).
    "forum:reply": row(*N405, post=(LOGIN, ALLOWED, 404, ALLOWED, 404, 404, 404)),
    "forum:follow": row(*N405, post=(LOGIN, ALLOWED, 404, ALLOWED, 404, 404, 404)),
    # Only the author edits or deletes a post, not even a moderator (they hide or remove).
    "forum:post_edit": row(LOGIN, 200, 404, 404, 404, 404, 404),
    "forum:post_delete": row(*N405, post=(LOGIN, ALLOWED, 404, 404, 404, 404, 404)),
    "forum:react": row(
        *N405, post=(LOGIN, ALLOWED, TO_TOPIC, ALLOWED, TO_TOPIC, TO_TOPIC, TO_TOPIC)
    ),
    # The member's own settings and data: every account has its own.
    "accounts:privacy": everyone(200),
    "accounts:me": signed_in(),
    "accounts:alias_change": row(*N405, post=(LOGIN, ALLOWED, TO_ME, ALLOWED, TO_ME, TO_ME, TO_ME)),
    "accounts:export": signed_in(),
    "accounts:export_download": signed_in(),
    "accounts:delete": signed_in(),
    "accounts:safety_plan": signed_in(),
    "accounts:safety_plan_step": signed_in(),
    # The page's autosave speaks JSON: a visitor gets 401 rather than the log-in page.
    "accounts:safety_plan_save": row(*N405, post=(401, *[ALLOWED] * 6)),
    "accounts:safety_plan_download": signed_in(),
    "accounts:safety_plan_delete": own_data_post(),
    "accounts:filter_word_add": own_data_post(),
    # The filter belongs to the member: anyone else's removal finds nothing to remove.
    "accounts:filter_remove": row(
        *N405, post=(LOGIN, ALLOWED, TO_FILTERS, TO_FILTERS, TO_FILTERS, TO_FILTERS, TO_FILTERS)
    ),
    "accounts:notifications_pause": own_data_post(),
    # A break is the member's own filter on a listed community: harmless for anyone.
    "accounts:community_break": own_data_post(),
    # Muting names the topic on /me/: only those who may read the topic may mute it.
    "accounts:topic_mute": row(*N405, post=(LOGIN, ALLOWED, 404, ALLOWED, 404, 404, 404)),
    "accounts:two_factor": signed_in(),
    "accounts:reveal": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "accounts:site_settings": row(LOGIN, 403, 403, 403, 403, 403, 200),
    # Community settings: owners (and staff, who count as owners) for most tabs,
    # moderators for join requests and statistics.
    "community_admin:settings": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:moderators": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:members": row(LOGIN, 403, 403, 200, 403, 200, 200),
    "community_admin:invitations": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:rooms": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:words": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:statistics": row(LOGIN, 403, 403, 200, 403, 200, 200),
    "community_admin:log": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:welcome": row(
        LOGIN,
        200,
        TO_COMMUNITY,
        200,
        TO_COMMUNITY,
        TO_COMMUNITY,
        TO_COMMUNITY,
        post=(LOGIN, ALLOWED, TO_COMMUNITY, ALLOWED, TO_COMMUNITY, TO_COMMUNITY, TO_COMMUNITY),
    ),
    # The link is the permission: whoever holds it may open it and join.
    "community_admin:invitation": everyone(200),
    "community_admin:community_new": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:site_statistics": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "community_admin:site_invitations": row(LOGIN, 403, 403, 403, 403, 200, 200),
    # Moderation: A's moderators and staff; B's moderator has a queue, but none of A's items.
    "moderation:help": everyone(200),
    "moderation:help_replying": everyone(200),
    "moderation:queue": row(LOGIN, 403, 403, 200, 200, 200, 200),
    "moderation:item": row(LOGIN, 404, 404, 200, 404, 200, 200),
    "moderation:item_claim": row(*N405, post=(LOGIN, 404, 404, ALLOWED, 404, ALLOWED, ALLOWED)),
    "moderation:item_decide": row(*N405, post=(LOGIN, 404, 404, ALLOWED, 404, ALLOWED, ALLOWED)),
    "moderation:item_check_in": row(*N405, post=(LOGIN, 404, 404, ALLOWED, 404, ALLOWED, ALLOWED)),
    "moderation:item_crisis_feedback": row(
        *N405, post=(LOGIN, 404, 404, ALLOWED, 404, ALLOWED, ALLOWED)
    ),
    "moderation:community_queue": row(LOGIN, 403, 403, 200, 403, 200, 200),
    # The audit log is for owners and staff, not moderators.
    "moderation:audit_log": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "moderation:audit_log_csv": row(LOGIN, 403, 403, 403, 403, 200, 200),
    "moderation:member_history": row(LOGIN, 403, 403, 200, 403, 200, 200),
    # The report form shows no content; sending a report needs membership (or moderating).
    "moderation:flag_post": row(
        LOGIN,
        200,
        200,
        200,
        200,
        200,
        200,
        post=(LOGIN, ALLOWED, 403, ALLOWED, 403, ALLOWED, ALLOWED),
    ),
    "moderation:flag_message": row(
        LOGIN,
        200,
        200,
        200,
        200,
        200,
        200,
        post=(LOGIN, ALLOWED, 403, ALLOWED, 403, ALLOWED, ALLOWED),
    ),
    "moderation:ask_check_in": row(
        *N405,
        post=(LOGIN, ALLOWED, TO_COMMUNITY, ALLOWED, TO_COMMUNITY, TO_COMMUNITY, TO_COMMUNITY),
    ),
    "moderation:notices": signed_in(),
    # The notice is the member's: anyone else's appeal finds no such notice.
    "moderation:notice_appeal": row(*N405, post=(LOGIN, ALLOWED, 404, 404, 404, 404, 404)),
    # Chat: members only; outsiders to a members-only community are not told its rooms.
    "chat:room_list": row(404, 200, 404, 200, 404, 404, 404),
    "chat:room_detail": row(LOGIN, 200, 403, 200, 403, 403, 403),
    "healthz": everyone(200),
    # django-allauth: signed-in people are sent on from the log-in and sign-up pages;
    # account pages need an account; recovery codes exist only for the admin here.
    "account_login": row(200, *[TO_HOME] * 6),
    "account_logout": row(TO_HOME, *[200] * 6),
    "account_inactive": everyone(200),
    "account_signup": row(200, *[TO_HOME] * 6),
    "account_reauthenticate": signed_in(),
    "account_email": signed_in(),
    "account_email_verification_sent": everyone(200),
    "account_change_password": signed_in(),
    "account_set_password": signed_in(Redirect("/accounts/password/change/")),
    "account_reset_password": everyone(200),
    "account_confirm_login_code": row(Redirect("/accounts/login/"), *[TO_HOME] * 6),
    "account_confirm_email": everyone(200),
    "account_reset_password_from_key_done": everyone(200),
    "account_reset_password_from_key": everyone(200),
    "account_reset_password_done": everyone(200),
    "mfa_index": signed_in(),
    "mfa_authenticate": row(Redirect("/accounts/login/"), *[TO_HOME] * 6),
    "mfa_reauthenticate": row(LOGIN, *[Redirect("/accounts/reauthenticate/")] * 5, 200),
    # The member's recovery address is unverified: allauth adds no authenticator until it is.
    "mfa_activate_totp": row(LOGIN, Redirect("/accounts/2fa/"), *[TO_REAUTH] * 5),
    "mfa_deactivate_totp": row(LOGIN, *[404] * 6),
    "mfa_view_recovery_codes": row(LOGIN, *[404] * 5, TO_REAUTH, post=(LOGIN, *[405] * 5, ALLOWED)),
    "mfa_generate_recovery_codes": row(LOGIN, *[TO_REAUTH] * 6),
    "mfa_download_recovery_codes": row(LOGIN, *[404] * 5, TO_REAUTH),
    # The Django admin: staff only; a staff account without model permissions sees the
    # index and nothing else.
    "admin:index": row(*[ADMIN_LOGIN] * 5, 200, 200),
    "admin:login": row(*[200] * 5, Redirect("/admin/"), Redirect("/admin/")),
    "admin:logout": row(*[Redirect("/admin/")] * 5, 405, 405),
    "admin:password_change": row(*[ADMIN_LOGIN] * 5, 200, 200),
    "admin:password_change_done": row(*[ADMIN_LOGIN] * 5, 200, 200),
    "admin:autocomplete": row(*[ADMIN_LOGIN] * 5, 403, 403, post=(*[ADMIN_LOGIN] * 5, 405, 405)),
    "admin:jsi18n": row(*[ADMIN_LOGIN] * 5, 200, 200),
    "admin:view_on_site": row(*[ADMIN_LOGIN] * 5, 404, 404),
    "admin:app_list": row(*[ADMIN_LOGIN] * 5, 404, 200),
    "admin/(?P<url>.*)$": row(*[ADMIN_LOGIN] * 5, 404, 404),
    "admin:auth_user_password_change": row(*[ADMIN_LOGIN] * 5, 403, 200),
}

# Every model in the admin, with the views even a superuser is refused (records that only
# services write). A model registered later has no entry here, so its URLs fail the
# completeness test until someone decides.
ADMIN_MODELS: dict[str, set[str]] = {
    "auth.group": set(),
    "account.emailaddress": set(),
    "mfa.authenticator": set(),
    "accounts.user": set(),
    "accounts.alias": {"add", "delete"},
    "accounts.sitesettings": {"add", "delete"},
    "forum.community": set(),
    "forum.membership": {"add"},
    "forum.invitation": set(),
    "forum.topic": set(),
    "forum.post": set(),
    "chat.room": set(),
    "chat.message": {"add"},
    "moderation.moderationaction": {"add", "delete"},
    "moderation.queueitem": {"add", "delete"},
    "moderation.flag": {"add", "delete"},
    "moderation.membernotice": {"add", "delete"},
    "moderation.crisisfeedback": {"add", "delete"},
    "moderation.helpline": set(),
    "moderation.lexiconentry": set(),
    "moderation.watchedword": set(),
}


def _admin_model_rows() -> dict[str, Row]:
    rows = {}
    for label, refused in ADMIN_MODELS.items():
        app, model = label.split(".")
        for view in ("changelist", "add", "history", "delete", "change"):
            superuser = 403 if view in refused else 200
            rows[f"admin:{app}_{model}_{view}"] = row(*[ADMIN_LOGIN] * 5, 403, superuser)
        # The bare object URL sends staff on to its change page.
        change = Redirect(f"/admin/{app}/{model}/{{object_id}}/change/")
        rows[f"admin/{app}/{model}/<path:object_id>/"] = row(*[ADMIN_LOGIN] * 5, change, change)
    return rows


MATRIX.update(_admin_model_rows())


# --- HTTP --------------------------------------------------------------------------------

ADMIN_MODEL_ROUTE = re.compile(r"admin/(?P<app>\w+)/(?P<model>\w+)/<")
# A POST that would succeed if the role were allowed, so that a refusal is about who asks.
PAYLOAD = {
    "title": "Authz probe",
    "body": "Authz probe body",
    "kind": "support",
    "reason": "spam",
    "note": "probe",
    "decision": "approve",
    "verdict": "correct",
    "text": "Authz probe text",
    "name": "Probe",
    "slug": "probe",
    "phrase": "probe",
    "follow": "1",
    "mute": "1",
    "days": "1",
    "answer": "probe",
    "action": "approve",
}
LIBRARY_ROUTES = ("admin/", "accounts/")
# Tables whose rows a refused POST must leave alone; sessions and log-in times may change.
WATCHED_APPS = {"accounts", "forum", "chat", "moderation", "account", "mfa", "auth"}
VOLATILE_FIELDS = {"last_login"}
UNWATCHED_MODELS = {Permission}  # Django's own list of permissions, never written by a page


def case_values(case: UrlCase, world: World) -> dict[str, str]:
    """The world's values for a pattern's parameters (admin pages get a real object)."""
    values = world.url_values()
    admin_model = ADMIN_MODEL_ROUTE.match(case.pattern)
    if case.pattern.startswith("admin/r/"):
        values["content_type_id"] = str(ContentType.objects.get_for_model(Topic).pk)
        values["object_id"] = str(world.topic.pk)
    elif admin_model:
        model = apps.get_model(admin_model["app"], admin_model["model"])
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"the world has no {model._meta.label} for {case.pattern}"
        values["object_id"] = values["id"] = str(first.pk)
    return values


def case_path(case: UrlCase, values: dict[str, str]) -> str:
    assert case.entry is not None
    path = concrete_path(case.pattern, values)
    assert resolves_to(path, case.entry), f"{path} does not reach {case.key}"
    return path


def answer_matches(expected: Answer, response: Any, values: dict[str, str]) -> bool:
    if isinstance(expected, Redirect):
        return response.status_code == 302 and expected.matches(response["Location"], values)
    return response.status_code == expected


def answer_text(response: Any) -> str:
    if response.status_code in (301, 302):
        return f"302→{response['Location']}"
    return str(response.status_code)


def body(response: Any) -> str:
    if not getattr(response, "streaming", False):
        return response.content.decode(errors="replace")
    if not response.is_async:
        return b"".join(response.streaming_content).decode(errors="replace")

    async def drain() -> list[bytes]:
        return [chunk async for chunk in response.streaming_content]

    return b"".join(async_to_sync(drain)()).decode(errors="replace")


def world_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every watched table, to compare before and after a refused POST."""
    state = {}
    # Many-to-many tables too (a user's groups and permissions).
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in WATCHED_APPS or model in UNWATCHED_MODELS:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in VOLATILE_FIELDS
        ]
        state[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def changed_tables(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    return [label for label in after if after[label] != before.get(label)]


@pytest.fixture(autouse=True)
def quiet_refusals() -> Iterator[None]:
    """Hundreds of expected 403s and 404s: logging each with its traceback costs seconds."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# Roles that must never read community A's words, whatever the page.
OUTSIDERS = {VISITOR, OTHER_MEMBER, OTHER_MODERATOR}


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    # A new URL must be given its answers here before it can ship.
    keys = [case.key for case in url_cases()]
    missing = [key for key in keys if key not in MATRIX]
    assert missing == [], f"add these URL patterns to MATRIX in {__name__}: {missing}"
    stale = sorted(set(MATRIX) - set(keys))
    assert stale == [], f"MATRIX rows for URL patterns that no longer exist: {stale}"
    # A POST-only page must say who may POST, or nothing about it would be checked.
    post_only = [key for key, entry in MATRIX.items() if entry.get == N405 and entry.post is None]
    assert post_only == []


@pytest.mark.django_db
def test_every_role_gets_the_expected_answer_on_every_url() -> None:
    world = build_world()
    clients = role_clients(world)
    wrong: list[str] = []
    leaked: list[str] = []
    checked = 0
    for case in url_cases():
        values = case_values(case, world)
        path = case_path(case, values)
        for role, expected in zip(ROLES, MATRIX[case.key].get, strict=True):
            response = clients[role].get(path)
            checked += 1
            if not answer_matches(expected, response, values):
                wrong.append(
                    f"{case.key} {path} as {role}: {answer_text(response)}, not {expected}"
                )
            refused = expected in REFUSALS or expected == 405
            if (role in OUTSIDERS or refused) and SECRET in body(response):
                leaked.append(f"{case.key} {path} as {role}")
    count_record("authz: url patterns x roles checked", checked)
    leaks = [f"community A's words reached {where}" for where in leaked]
    assert wrong + leaks == [], "\n".join(wrong + leaks)


@pytest.mark.django_db
def test_a_refused_post_is_refused_and_changes_nothing() -> None:
    world = build_world()
    clients = role_clients(world)
    wrong: list[str] = []
    leaked: list[str] = []
    payload = {**PAYLOAD, "alias": world.users_alias(MEMBER), "membership": str(world.applicant.pk)}
    state = world_state()
    posted: list[str] = []  # paths posted to since the world was last compared
    for case in url_cases():
        values = case_values(case, world)
        path = case_path(case, values)
        answers = MATRIX[case.key].post_answers()
        if all(answer is ALLOWED for answer in answers):
            continue
        posted.append(path)
        login_posted = False
        for role, expected in zip(ROLES, answers, strict=True):
            if expected is ALLOWED:
                continue
            # A redirect to log in comes from a decorator around the whole view, whatever
            # the method: one POST per page shows it; every other refusal is tried by each
            # role it refuses.
            if expected in (LOGIN, ADMIN_LOGIN):
                if login_posted:
                    continue
                login_posted = True
            response = clients[role].post(path, payload)
            if not answer_matches(expected, response, values):
                wrong.append(f"POST {path} as {role}: {answer_text(response)}, not {expected}")
            if SECRET in body(response):
                leaked.append(f"POST {path} as {role}")
        # Kindred's own pages are compared one by one; the libraries' (the admin, allauth)
        # together, which keeps this test fast: their refusals come before any form.
        if not case.pattern.startswith(LIBRARY_ROUTES):
            before, state = state, world_state()
            if changed := changed_tables(before, state):
                wrong.append(f"refused POSTs to {posted} changed {changed}")
            posted = []
    if changed := changed_tables(state, world_state()):
        wrong.append(f"refused POSTs to {posted} changed {changed}")
    leaks = [f"a refused POST showed community A's words: {where}" for where in leaked]
    assert wrong + leaks == [], "\n".join(wrong + leaks)


HIDDEN = "hidden-circle"  # a private community, with a topic, room and message of its own
NOWHERE = "no-such-circle"  # a community that does not exist


def build_hidden() -> dict[str, str]:
    """A private community with content; the URL values that point into it."""
    hidden = make_community(HIDDEN, visibility=Community.Visibility.PRIVATE)
    insider = make_user("hidden-insider")
    membership = make_member(insider, hidden, role=Membership.Role.OWNER)
    topic = topic_create(user=insider, community=hidden, title="Ours", body="Only ours.")
    room = Room.objects.create(community=hidden, name="Nook", slug="nook")
    sent = message_send(actor=insider, room_id=room.pk, body="Hello", client_id="h-1")
    return {
        "community": hidden.slug,
        "topic_id": str(topic.pk),
        "post_id": str(topic.posts.get().pk),
        "room": room.slug,
        "message_id": str(sent.message_id),
        "alias_id": str(membership.alias_id),
    }


@pytest.mark.django_db
def test_a_private_community_answers_outsiders_as_if_it_did_not_exist() -> None:
    # Private communities are unlisted: to anyone outside one, each of its URLs must answer
    # exactly as the same URL of a community that does not exist, or its name is confirmed.
    world = build_world()
    clients = role_clients(world)
    hidden = build_hidden()
    differences = []
    compared = 0
    for case in url_cases():
        if "community" not in parameters(case.pattern):
            continue
        real = case_path(case, hidden)
        unknown = case_path(case, {**hidden, "community": NOWHERE})
        for role in (VISITOR, OTHER_MEMBER, OTHER_MODERATOR):
            for method in ("GET", "POST"):
                answers = []
                for path in (real, unknown):
                    if method == "GET":
                        response = clients[role].get(path)
                    else:
                        response = clients[role].post(path, PAYLOAD)
                    location = response.get("Location", "").replace(quote(path, safe=""), "")
                    answers.append((response.status_code, location.replace(path, "")))
                compared += 1
                if answers[0] != answers[1]:
                    differences.append(f"{method} {real} as {role}: {answers[0]}, not {answers[1]}")
    count_record("authz: private community urls x outsiders compared with none", compared)
    assert differences == [], "\n".join(differences)


# --- WebSockets ----------------------------------------------------------------------------

ACCEPT = "accept"
SocketAnswer = int | str
# Roles, in order:  visitor  member  other-member  moderator  other-moderator  staff  admin
SOCKET_MATRIX: dict[str, tuple[SocketAnswer, ...]] = {
    # Chat is for the community's active members; staff are not members of A.
    "ws/chat/<slug:community>/<slug:room>/": (4401, ACCEPT, 4403, ACCEPT, 4403, 4403, 4403),
    # A topic's live updates follow the rule for reading the topic.
    r"^ws/topic/(?P<community>[-\w]+)/(?P<topic_id>\d+)/$": (
        4403,
        ACCEPT,
        4403,
        ACCEPT,
        4403,
        4403,
        4403,
    ),
    # The moderators' feed: moderators of any community, and staff (each hears only theirs).
    "^ws/mod/$": (4403, 4403, 4403, ACCEPT, ACCEPT, ACCEPT, ACCEPT),
}
# Paths that are not the world's, on the same routes: a room or topic that does not exist.
SOCKET_UNKNOWN: dict[str, tuple[SocketAnswer, ...]] = {
    "/ws/chat/{community}/no-such-room/": (4401, 4404, 4404, 4404, 4404, 4404, 4404),
    "/ws/topic/{community}/999999/": (4403,) * 7,
}
# Which communities' counts the moderators' feed sends each role that may open it.
FEED_COMMUNITIES = {MODERATOR: {HOME}, OTHER_MODERATOR: {AWAY}, STAFF: {HOME, AWAY}}
FEED_COMMUNITIES[ADMIN] = FEED_COMMUNITIES[STAFF]


def socket_routes() -> list[str]:
    return [str(route.pattern) for route in websocket_urlpatterns]


async def socket_answer(path: str, cookie: str | None) -> tuple[SocketAnswer, list[Any]]:
    """ACCEPT and the frames sent at once, or the code the server closed with."""
    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    if not connected:
        return f"handshake refused ({code})", []
    frames: list[Any] = []
    try:
        # A refused socket is accepted and closed at once (so the client can read why).
        while not await communicator.receive_nothing(timeout=0.3):
            output = await communicator.receive_output(timeout=1)
            if output["type"] == "websocket.close":
                return int(output["code"]), frames
            frames.append(json.loads(output["text"]))
        return ACCEPT, frames
    finally:
        await communicator.disconnect()


def test_every_websocket_route_has_a_row_in_the_matrix() -> None:
    missing = [route for route in socket_routes() if route not in SOCKET_MATRIX]
    assert missing == [], f"add these WebSocket routes to SOCKET_MATRIX: {missing}"
    assert sorted(SOCKET_MATRIX) == sorted(socket_routes()), "SOCKET_MATRIX has stale routes"


@pytest.mark.django_db(transaction=True)
async def test_every_role_gets_the_expected_answer_on_every_websocket() -> None:
    forget_chat_state()
    world = await database_sync_to_async(build_world)()
    values = world.url_values()
    cookies = {
        role: None if user is None else await database_sync_to_async(session_cookie)(user)
        for role, user in world.users.items()
    }
    cases = [
        (route, concrete_path(route, values), answers) for route, answers in SOCKET_MATRIX.items()
    ]
    cases += [(path, path.format(**values), answers) for path, answers in SOCKET_UNKNOWN.items()]
    wrong: list[str] = []
    checked = 0
    for route, path, answers in cases:
        for role, expected in zip(ROLES, answers, strict=True):
            answer, frames = await socket_answer(path, cookies[role])
            checked += 1
            if answer != expected:
                wrong.append(f"{path} as {role}: {answer}, not {expected}")
                continue
            text = json.dumps(frames)
            if role in OUTSIDERS and SECRET in text:
                wrong.append(f"{path} as {role} received community A's words")
            # The catch-up proves that an accepted chat socket really serves the room.
            if answer == ACCEPT and route.startswith("ws/chat/") and f"Chat {SECRET}" not in text:
                wrong.append(f"{path} as {role}: no catch-up in {frames}")
            if answer == ACCEPT and route == "^ws/mod/$":
                counts = frames[0] if frames else {}
                communities = set(counts.get("communities", {}))
                if counts.get("type") != "counts" or communities != FEED_COMMUNITIES[role]:
                    wrong.append(f"{path} as {role}: counts for {communities}, {frames}")
    # A private community's sockets answer outsiders as if it did not exist.
    hidden = await database_sync_to_async(build_hidden)()
    for route in SOCKET_MATRIX:
        if "community" not in parameters(route):
            continue
        real = concrete_path(route, hidden)
        unknown = concrete_path(route, {**hidden, "community": NOWHERE})
        for role in [role for role in ROLES if role not in {STAFF, ADMIN}]:
            there, nowhere = [
                (await socket_answer(path, cookies[role]))[0] for path in (real, unknown)
            ]
            checked += 1
            if there != nowhere:
                wrong.append(f"{real} as {role}: {there}, not {nowhere} as for none")
    forget_chat_state()
    count_record("authz: websocket endpoints x roles checked", checked)
    assert wrong == [], "\n".join(wrong)
