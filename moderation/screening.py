"""What happens to words when they are written: crisis language, watched words, holds, limits.

The forum and chat services call these on their write path, before anything is stored, so
the writer hears about help in the same response and moderators within the second.
"""

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chat.models import Message
from forum.models import Community, ContentState, Membership, Post, Topic
from moderation.crisis import Assessment, assess
from moderation.crisis_lexicon import current_lexicon
from moderation.models import Priority, QueueItem, WatchedWord
from moderation.ratelimit import private_key
from moderation.services import queue_item_open

SUPPORT_CARD_INTERVAL = timedelta(hours=3)
SEVERITY_RANK = {"none": 0, "concern": 1, "high": 2, "imminent": 3}
LINK_PATTERN = re.compile(r"(https?://|www\.|\]\()", re.IGNORECASE)


class HoldReason:
    FIRST_POST = "first_post"
    CRISIS = "crisis"
    WATCHED_WORD = "watched_word"


HOLD_MESSAGES = {
    HoldReason.FIRST_POST: "This community's moderators read new members' first posts "
    "before they appear. Yours is safe with them and will show soon.",
    HoldReason.CRISIS: "Thank you for sharing this. In this community a moderator reads "
    "posts like yours first; they will look very soon.",
    HoldReason.WATCHED_WORD: "Your post is waiting for a moderator to look at it; "
    "it will show soon.",
}


@dataclass(frozen=True)
class Screening:
    """The verdict on one piece of writing, before it is stored."""

    assessment: Assessment
    watched: tuple[str, ...]
    hold_reasons: tuple[str, ...]

    @property
    def state(self) -> str:
        return ContentState.PENDING if self.hold_reasons else ContentState.VISIBLE

    @property
    def hold_message(self) -> str:
        return HOLD_MESSAGES[self.hold_reasons[0]] if self.hold_reasons else ""


WATCHED_WORDS_TTL_SECONDS = 10.0
_watched_cache: dict[int, tuple[float, list[tuple[str, str, re.Pattern[str]]]]] = {}


def _watched_words(community_id: int) -> list[tuple[str, str, re.Pattern[str]]]:
    """A community's watched words, compiled; each process reads them again every 10 s.

    Every chat message is screened, so this saves a query per message; a new watched word
    takes effect within ten seconds.
    """
    now = time.monotonic()
    cached = _watched_cache.get(community_id)
    if cached is not None and now - cached[0] < WATCHED_WORDS_TTL_SECONDS:
        return cached[1]
    words = [
        (phrase, action, re.compile(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)"))
        for phrase, action in WatchedWord.objects.filter(community_id=community_id).values_list(
            "phrase", "action"
        )
    ]
    _watched_cache[community_id] = (now, words)
    return words


def watched_words_changed(community_id: int) -> None:
    """Forget this process's copy at once (the writer's own process)."""
    _watched_cache.pop(community_id, None)


def _watched_matches(community: Community, text: str) -> list[tuple[str, str]]:
    words = _watched_words(community.pk)
    if not words:
        return []
    folded = text.casefold()
    return [(phrase, action) for phrase, action, pattern in words if pattern.search(folded)]


def _has_published(membership: Membership) -> bool:
    """Whether the member already has something visible in this community."""
    return Post.objects.filter(
        author__user_id=membership.user_id,
        topic__community_id=membership.community_id,
        state=ContentState.VISIBLE,
    ).exists()


def text_screen(
    *, community: Community, membership: Membership, text: str, can_hold: bool = True
) -> Screening:
    """Assess crisis language and watched words, and decide whether the text waits.

    Crisis posts are held only where the community chose that policy, and only from
    `high` up: a member who writes about wanting to die is never silenced by default.
    """
    assessment = assess(text, lexicon=current_lexicon())
    watched = _watched_matches(community, text)
    reasons: list[str] = []
    if can_hold and not membership.is_moderator:
        if community.approve_first_posts and not _has_published(membership):
            reasons.append(HoldReason.FIRST_POST)
        if community.crisis_hold == Community.CrisisHold.HOLD and assessment.alerts_moderators:
            reasons.append(HoldReason.CRISIS)
        if any(action == WatchedWord.Action.HOLD for _, action in watched):
            reasons.append(HoldReason.WATCHED_WORD)
    return Screening(
        assessment=assessment,
        watched=tuple(phrase for phrase, _ in watched),
        hold_reasons=tuple(reasons),
    )


def new_member_limits_check(
    *, community: Community, membership: Membership, kind: str, text: str
) -> None:
    """Gentle limits for new members: a few topics and replies, and no links, at first."""
    if membership.is_moderator:
        return
    since = timezone.now() - timedelta(days=community.new_member_days)
    if membership.joined < since:
        return
    days = community.new_member_days
    first = "first day" if days == 1 else f"first {days} days"
    if LINK_PATTERN.search(text):
        raise ValidationError(
            {"body": f"Links can be shared after your {first} here. Your text is kept below."}
        )
    day_ago = timezone.now() - timedelta(days=1)
    mine = Post.objects.filter(
        author__user_id=membership.user_id, topic__community=community, created__gte=day_ago
    )
    if kind == "topic":
        if mine.filter(number=1).count() >= community.new_member_max_topics:
            raise PermissionDenied(
                f"New members can start {community.new_member_max_topics} topics a day in "
                f"their {first}. You can still reply to others, and tomorrow start more."
            )
    elif mine.filter(number__gt=1).count() >= community.new_member_max_replies:
        raise PermissionDenied(
            f"New members can write {community.new_member_max_replies} replies a day in "
            f"their {first}. Thank you for taking part; you can write more tomorrow."
        )


def _highlighted(text: str, assessment: Assessment) -> str:
    """The text, escaped, with matched phrases in <mark> for the moderator's view."""
    pieces = []
    position = 0
    for match in sorted(assessment.matches, key=lambda m: m.start):
        if match.start < position:
            continue
        pieces.append(escape(text[position : match.start]))
        pieces.append(f"<mark>{escape(text[match.start : match.end])}</mark>")
        position = match.end
    pieces.append(escape(text[position:]))
    return "".join(pieces)[:4000]


def crisis_details(text: str, assessment: Assessment) -> dict[str, object]:
    """What a moderator sees about why the detector fired (stored on the queue item)."""
    return {
        "highlighted": _highlighted(text, assessment),
        "matches": [
            {
                "text": match.text,
                "phrase": match.phrase,
                "category": match.category,
                "severity": match.severity,
                "rules": list(match.rules),
            }
            for match in assessment.matches
        ],
        "categories": list(assessment.categories),
        "lexicon_version": assessment.lexicon_version,
        "model": (
            {
                "version": assessment.model_version,
                "any_risk": round(assessment.model_scores.any_risk, 3),
                "moderator_risk": round(assessment.model_scores.moderator_risk, 3),
            }
            if assessment.raised_by_model and assessment.model_scores
            else None
        ),
    }


def screening_record(
    *,
    screening: Screening,
    community: Community,
    membership: Membership,
    text: str,
    post: Post | None = None,
    message: Message | None = None,
    scope: str,
) -> None:
    """Open the queue items the writing calls for (inside the writer's transaction)."""
    alias = membership.alias
    assessment = screening.assessment
    if assessment.alerts_moderators:
        imminent = assessment.severity == "imminent"
        queue_item_open(
            community=community,
            source=QueueItem.Source.CRISIS,
            priority=Priority.IMMINENT if imminent else Priority.HIGH,
            reason=(
                "Crisis language: imminent risk (plan, means or timing)"
                if imminent
                else "Crisis language: thoughts of suicide or self-harm"
            ),
            post=post,
            message=message,
            subject=alias,
            group_key=f"crisis:{alias.pk}:{scope}",
            severity=assessment.severity,
            crisis_details=crisis_details(text, assessment),
        )
    if HoldReason.FIRST_POST in screening.hold_reasons:
        queue_item_open(
            community=community,
            source=QueueItem.Source.FIRST_POST,
            priority=Priority.NORMAL,
            reason="First post of a new member",
            post=post,
            message=message,
            subject=alias,
        )
    if screening.watched:
        queue_item_open(
            community=community,
            source=QueueItem.Source.WATCHED_WORD,
            priority=Priority.NORMAL,
            reason=f"Watched word: {', '.join(screening.watched)}"[:300],
            post=post,
            message=message,
            subject=alias,
        )


def support_card_due(*, user_id: int, scope: str, severity: str) -> bool:
    """Whether to show the writer the support card now.

    At most once per topic or room every few hours, unless the severity rises.
    """
    rank = SEVERITY_RANK.get(severity, 0)
    if rank == 0:
        return False
    key = "support-card:" + private_key(user_id, scope)
    shown = cache.get(key)
    if shown is not None and int(shown) >= rank:
        return False
    cache.set(key, rank, timeout=int(SUPPORT_CARD_INTERVAL.total_seconds()))
    return True


def topic_scope(topic: Topic) -> str:
    return f"topic:{topic.pk}"


def room_scope(room_id: int) -> str:
    return f"room:{room_id}"
