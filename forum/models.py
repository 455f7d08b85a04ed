"""Communities (support groups), memberships, and their forums."""

from datetime import datetime

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
