"""Communities (support groups), memberships, and their forums."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Community(models.Model):
    """A support group: its forum, chat rooms, moderators and settings."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can read"
        MEMBERS = "members", "Members only: listed, only members read"
        PRIVATE = "private", "Private: unlisted, by invitation"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone can join"
        APPROVAL = "approval", "Moderators approve new members"
        INVITATION = "invitation", "By invitation only"

    class CrisisHold(models.TextChoices):
        PUBLISH = "publish", "Publish, and alert moderators"
        HOLD = "hold", "Hold for a moderator to look at first"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.CharField(max_length=300, blank=True)
    rules = models.TextField(blank=True, help_text="Markdown.")
    rules_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    helpline_region = models.CharField(
        max_length=2, blank=True, help_text="Default country for helplines (ISO code)."
    )
    # Moderation settings (used by the moderation and crisis features).
    flag_threshold = models.PositiveSmallIntegerField(default=3)
    approve_first_posts = models.BooleanField(default=False)
    crisis_hold = models.CharField(
        max_length=10, choices=CrisisHold.choices, default=CrisisHold.PUBLISH
    )
    new_member_days = models.PositiveSmallIntegerField(default=1)
    new_member_max_topics = models.PositiveSmallIntegerField(default=3)
    new_member_max_replies = models.PositiveSmallIntegerField(default=10)
    show_online_aliases = models.BooleanField(default=False)
    allow_search_engines = models.BooleanField(default=False)
    # Joining: the optional question applicants answer, and the welcome a new member
    # acknowledges (with the rules) before they can write.
    join_question = models.CharField(max_length=300, blank=True)
    welcome_message = models.TextField(blank=True, help_text="Markdown.")
    welcome_html = models.TextField(blank=True, editable=False)
    chat_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Delete chat messages older than this many days; empty keeps them.",
    )
    # When moderators are usually around, shown next to every composer. Days are ISO
    # weekday digits (1 Monday … 7 Sunday); an end before the start runs past midnight.
    staffed_days = models.CharField(max_length=7, blank=True)
    staffed_from = models.TimeField(null=True, blank=True)
    staffed_until = models.TimeField(null=True, blank=True)
    staffed_timezone = models.CharField(max_length=64, blank=True, default="UTC")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        return self.filter(state=Membership.State.ACTIVE)

    def moderating(self) -> "MembershipQuerySet":
        return self.active().filter(role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER])


class Membership(models.Model):
    """A member's place in a community, under their alias there."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"
        OWNER = "owner", "Owner"

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Waiting for approval"
        BANNED = "banned", "Banned"
        LEFT = "left", "Left"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    alias = models.ForeignKey("accounts.Alias", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    muted_until = models.DateTimeField(null=True, blank=True)
    joined = models.DateTimeField(default=timezone.now)
    application_answer = models.TextField(blank=True)
    # Set when a member joins a community with a welcome or rules; cleared when they
    # acknowledge them (the time is kept), and writing waits for that.
    welcome_pending = models.BooleanField(default=False)
    rules_acknowledged = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="one_membership_each"),
        ]
        indexes = [models.Index(fields=["community", "state", "role"])]

    def __str__(self) -> str:
        return f"{self.alias} in {self.community}"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in {self.Role.MODERATOR, self.Role.OWNER}

    def is_muted(self, now: datetime | None = None) -> bool:
        return bool(self.muted_until and self.muted_until > (now or timezone.now()))


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self, now: datetime | None = None) -> "InvitationQuerySet":
        now = now or timezone.now()
        return self.filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=now),
            models.Q(max_uses__isnull=True) | models.Q(uses__lt=models.F("max_uses")),
            revoked__isnull=True,
        )


class Invitation(models.Model):
    """A link that lets people in: to a community (past its join policy) or, without one,
    to sign up while registration is by invitation only."""

    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    code = models.CharField(max_length=43, unique=True)
    note = models.CharField(max_length=100, blank=True, help_text="Only owners see this.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    uses = models.PositiveIntegerField(default=0)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"invitation to {self.community or 'Kindred'}"

    def problem(self, now: datetime | None = None) -> str | None:
        """Why the invitation can't be used now, or None."""
        now = now or timezone.now()
        if self.revoked is not None:
            return "This invitation was withdrawn."
        if self.expires is not None and self.expires <= now:
            return "This invitation has expired."
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "This invitation has been used up."
        return None


TITLE_MAX_LENGTH = 200
POST_MAX_LENGTH = 20_000
EDIT_WINDOW = timedelta(hours=24)


class ContentState(models.TextChoices):
    """Where a topic or post stands: what peers see depends on it."""

    VISIBLE = "visible", "Visible"
    PENDING = "pending", "Waiting for a moderator"
    HIDDEN = "hidden", "Hidden pending review"
    REMOVED = "removed", "Removed"


class TopicQuerySet(models.QuerySet["Topic"]):
    def visible(self) -> "TopicQuerySet":
        return self.filter(state=ContentState.VISIBLE)


class Topic(models.Model):
    """A thread in a community's forum."""

    class SupportType(models.TextChoices):
        EMOTIONAL = "emotional", "Emotional support"
        PRACTICAL = "practical", "Practical advice"
        COMMUNITY = "community", "Community chat"
        CELEBRATION = "celebration", "Celebration"
        QUESTION = "question", "Question"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey("accounts.Alias", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    support_type = models.CharField(
        max_length=12, choices=SupportType.choices, default=SupportType.EMOTIONAL
    )
    content_warning = models.CharField(max_length=100, blank=True)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=ContentState.choices, default=ContentState.VISIBLE
    )
    created = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)
    # Denormalised so that list pages need no per-topic count queries.
    post_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    last_post_number = models.PositiveIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["community", "state", "-pinned", "-last_activity"]),
            models.Index(fields=["community", "state", "reply_count", "created"]),
        ]

    def __str__(self) -> str:
        return self.title


class PostQuerySet(models.QuerySet["Post"]):
    def visible(self) -> "PostQuerySet":
        return self.filter(state=ContentState.VISIBLE)


class Post(models.Model):
    """One post in a topic: the first opens it, the rest reply."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey("accounts.Alias", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text="Position in the topic, from 1.")
    source = models.TextField(max_length=POST_MAX_LENGTH)
    html = models.TextField()
    state = models.CharField(
        max_length=10, choices=ContentState.choices, default=ContentState.VISIBLE
    )
    removed_by_author = models.BooleanField(default=False)
    removal_reason = models.CharField(max_length=500, blank=True)
    # Set when the crisis detector fired on this post: readers see it behind a content
    # note with guidance on replying; the writer saw a support card.
    crisis_severity = models.CharField(max_length=10, blank=True)
    created = models.DateTimeField(default=timezone.now)
    edited = models.DateTimeField(null=True, blank=True)
    edited_after_reply = models.BooleanField(default=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="post_number_unique"),
        ]

    def __str__(self) -> str:
        return f"post {self.number} in topic {self.topic_id}"


class PostRevision(models.Model):
    """An earlier version of an edited post, kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    source = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"revision of {self.post_id} at {self.created:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """Support rather than score: one of each kind per alias per post."""

    class Kind(models.TextChoices):
        SUPPORT = "support", "Sending support"
        METOO = "metoo", "Me too"
        CELEBRATE = "celebrate", "Celebrate"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    alias = models.ForeignKey("accounts.Alias", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "alias", "kind"], name="reaction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class TopicReadState(models.Model):
    """How far a member has read a topic, and whether they follow it (private to them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_states"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)
    following = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="topic_state_once"),
        ]

    def __str__(self) -> str:
        return f"read state of topic {self.topic_id}"


class Notification(models.Model):
    """Something new for a member: never the text itself, only what and where."""

    class Kind(models.TextChoices):
        REPLY = "reply", "New reply in a topic you follow"
        MENTION = "mention", "You were mentioned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "read", "-created"])]

    def __str__(self) -> str:
        return f"{self.kind} notification"
