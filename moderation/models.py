"""Moderation: flags, the review queue, sanctions, the audit log, watched words, helplines."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from moderation.crisis import LexiconEntry as LexiconPhrase
from moderation.crisis import LexiconError
from moderation.crisis.lexicon import CONTEXT_CATEGORIES, RISK_CATEGORIES


class Helpline(models.Model):
    """A crisis line or emergency number for one country (or the international directory)."""

    country = models.CharField(max_length=2, help_text="ISO code; blank for international.")
    name = models.CharField(max_length=120)
    phone_display = models.CharField(max_length=40, blank=True)
    dial = models.CharField(max_length=30, blank=True)
    sms = models.CharField(max_length=120, blank=True)
    web_chat = models.URLField(blank=True)
    web = models.URLField(blank=True)
    hours = models.CharField(max_length=80, blank=True)
    languages = models.CharField(max_length=80, blank=True)
    is_emergency = models.BooleanField(default=False)
    source = models.URLField(blank=True)
    last_checked = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    country_name = models.CharField(max_length=60, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    sms_number = models.CharField(
        max_length=30, blank=True, help_text="Digits to text, for a tap-to-text link."
    )
    sms_keyword = models.CharField(max_length=30, blank=True)
    from_data_file = models.BooleanField(
        default=False,
        help_text=(
            "Kept equal to moderation/data/helplines.json by `manage.py helplines_load`, "
            "which overwrites edits made here. Rows added here are never touched by it."
        ),
    )

    class Meta:
        ordering = ["country", "is_emergency", "position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country or 'international'})"


class Priority(models.IntegerChoices):
    """Queue order: lower sorts first."""

    IMMINENT = 0, "imminent"
    HIGH = 1, "high"
    SAFETY = 2, "safety"
    NORMAL = 3, "normal"


class Flag(models.Model):
    """A member's report about a post or chat message; never shown to the person reported."""

    class Reason(models.TextChoices):
        SAFETY = "safety", "I'm worried about this person's safety"
        HARASSMENT = "harassment", "Harassment or hate"
        SPAM = "spam", "Spam"
        MISINFORMATION = "misinformation", "Misinformation"
        OTHER = "other", "Something else"

    community = models.ForeignKey("forum.Community", on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="flags"
    )
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    message = models.ForeignKey(
        "chat.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    dismissed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reporter", "post"], name="flag_post_once"),
            models.UniqueConstraint(fields=["reporter", "message"], name="flag_message_once"),
            models.CheckConstraint(
                condition=models.Q(post__isnull=False) ^ models.Q(message__isnull=False),
                name="flag_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} flag"


class QueueItemQuerySet(models.QuerySet["QueueItem"]):
    def open(self) -> "QueueItemQuerySet":
        return self.filter(state__in=[QueueItem.State.OPEN, QueueItem.State.ESCALATED])

    def in_order(self) -> "QueueItemQuerySet":
        return self.order_by("priority", "created", "pk")


class QueueItem(models.Model):
    """Something a moderator must look at, in priority order, claimed by one at a time."""

    class Source(models.TextChoices):
        FLAG = "flag", "Flags"
        WATCHED_WORD = "watched_word", "Watched word"
        CRISIS = "crisis", "Crisis language"
        FIRST_POST = "first_post", "First post of a new member"
        APPEAL = "appeal", "Appeal"
        JOIN_REQUEST = "join_request", "Request to join"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ESCALATED = "escalated", "Escalated to staff"
        RESOLVED = "resolved", "Resolved"

    community = models.ForeignKey(
        "forum.Community", on_delete=models.CASCADE, related_name="queue_items"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.CharField(max_length=300)
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "chat.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        "accounts.Alias",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The alias whose content or conduct this is about.",
    )
    # Crisis items are grouped per member and topic or room, and raised when severity rises.
    group_key = models.CharField(max_length=80, blank=True, db_index=True)
    severity = models.CharField(max_length=10, blank=True)
    crisis_details = models.JSONField(default=dict, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=30, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_action_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = QueueItemQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["community", "state", "priority", "created"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} in {self.community_id}"

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label


class ModerationAction(models.Model):
    """The append-only audit log: every decision and every setting change.

    Rows are only ever inserted (services never update or delete them; the admin is
    read-only), so the log can be trusted by the owners and staff who read it.
    """

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        HIDE = "hide", "Hid"
        REMOVE = "remove", "Removed"
        RESTORE = "restore", "Restored"
        WARN = "warn", "Warned"
        MUTE = "mute", "Muted"
        UNMUTE = "unmute", "Unmuted"
        BAN = "ban", "Banned"
        UNBAN = "unban", "Unbanned"
        SUSPEND = "suspend", "Suspended site-wide"
        ESCALATE = "escalate", "Escalated to staff"
        CLAIM = "claim", "Claimed"
        AUTO_HIDE = "auto_hide", "Hidden by flags"
        CHECK_IN = "check_in", "Checked in"
        CRISIS_FEEDBACK = "crisis_feedback", "Crisis detector feedback"
        MEMBER_APPROVE = "member_approve", "Approved member"
        MEMBER_REJECT = "member_reject", "Declined member"
        ROOM_CREATE = "room_create", "Created room"
        ROOM_ARCHIVE = "room_archive", "Archived room"
        SETTING = "setting", "Changed setting"
        ALIAS_CHANGE = "alias_change", "Alias changed"
        REVEAL = "reveal", "Revealed account behind alias"

    community = models.ForeignKey(
        "forum.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=60, help_text="Who acted, as others saw them.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.ForeignKey(
        "accounts.Alias", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=60, blank=True, help_text="e.g. post:12, message:7")
    queue_item = models.ForeignKey(
        QueueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["community", "subject", "kind"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.get_kind_display().lower()} {self.target}"


class MemberNotice(models.Model):
    """A private message from the moderators to one member: what happened, why, until when."""

    class Kind(models.TextChoices):
        REMOVAL = "removal", "Your post or message was removed"
        WARNING = "warning", "A warning from the moderators"
        MUTE = "mute", "You are muted"
        BAN = "ban", "You are banned"
        SUSPENSION = "suspension", "Your account is suspended"
        CHECK_IN = "check_in", "A moderator is checking in"
        HELD = "held", "Your post is waiting for a moderator"
        APPEAL_ANSWER = "appeal_answer", "Your appeal was answered"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    community = models.ForeignKey(
        "forum.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    until = models.DateTimeField(null=True, blank=True)
    action = models.ForeignKey(
        ModerationAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    can_appeal = models.BooleanField(default=False)
    appealed = models.BooleanField(default=False)
    read = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.get_kind_display()


class WatchedWord(models.Model):
    """A word or phrase a community's moderators want to see when it is written."""

    class Action(models.TextChoices):
        FLAG = "flag", "Publish and add to the queue"
        HOLD = "hold", "Hold for review before publishing"

    community = models.ForeignKey(
        "forum.Community", on_delete=models.CASCADE, related_name="watched_words"
    )
    phrase = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.FLAG)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "phrase"], name="watched_word_once"),
        ]

    def __str__(self) -> str:
        return self.phrase


class LexiconEntry(models.Model):
    """A crisis phrase added by admins, on top of the reviewed data file (no deploy needed)."""

    class Severity(models.TextChoices):
        CONCERN = "concern", "Concern"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent"
        NONE = "none", "None (e.g. harassment)"

    phrase = models.CharField(
        max_length=500,
        unique=True,
        help_text=(
            "Written as people type it. (a|b) is one of, [a] optional words, ... a gap of "
            "up to five words in one sentence: (cut|burned) ... my (arm|wrist)."
        ),
    )
    category = models.CharField(
        max_length=40,
        default="suicidal_ideation",
        choices=[(category, category) for category in sorted(RISK_CATEGORIES | CONTEXT_CATEGORIES)],
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.HIGH)
    note = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "lexicon entries"

    def __str__(self) -> str:
        return self.phrase

    def clean(self) -> None:
        """Refuse a phrase the detector could not use, with the reason, before it is saved."""
        try:
            LexiconPhrase(self.phrase, self.category, self.severity, self.note)
        except LexiconError as error:
            raise ValidationError({"phrase": str(error)}) from error


class CrisisFeedback(models.Model):
    """A moderator's verdict on the detector: a false alarm or a missed case.

    The text is copied so the development set can grow from real mistakes; only
    moderators and staff see this table.
    """

    class Verdict(models.TextChoices):
        FALSE_POSITIVE = "false_positive", "False alarm"
        MISSED = "missed", "Missed case"
        CORRECT = "correct", "Correct"

    queue_item = models.ForeignKey(
        QueueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    text = models.TextField()
    detected_severity = models.CharField(max_length=10)
    expected_severity = models.CharField(max_length=10, blank=True)
    lexicon_version = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.verdict
