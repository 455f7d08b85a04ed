"""Accounts and the per-community aliases that peers see instead of them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class User(AbstractUser):
    """A member's account. Peers never see it: everything public goes through an Alias."""

    country = models.CharField(
        max_length=2, blank=True, help_text="ISO country code, used to show local helplines."
    )
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="Site-wide suspension set by staff."
    )
    notify_replies = models.BooleanField(
        default=True, help_text="Tell me about new replies in topics I follow."
    )
    notify_mentions = models.BooleanField(
        default=True, help_text="Tell me when someone mentions my alias."
    )
    quick_exit = models.BooleanField(
        default=True, help_text='Show "Leave quickly" and leave on Escape pressed twice.'
    )
    hide_crisis_posts = models.BooleanField(
        default=False, help_text="Hide posts about suicide or self-harm until I open them."
    )
    notifications_paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username


class AliasQuerySet(models.QuerySet["Alias"]):
    def current(self) -> "AliasQuerySet":
        return self.filter(retired__isnull=True)


class Alias(models.Model):
    """The name a member goes by in one community.

    Aliases are never reused: a retired alias (changed, or its account deleted) keeps its
    row so that nobody else can take the name and be mistaken for its former holder.
    """

    community = models.ForeignKey(
        "forum.Community", on_delete=models.CASCADE, related_name="aliases"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="aliases"
    )
    name = models.CharField(max_length=30)
    created = models.DateTimeField(default=timezone.now)
    retired = models.DateTimeField(null=True, blank=True)

    objects = AliasQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "community", name="alias_name_unique_in_community"
            ),
        ]
        indexes = [models.Index(fields=["user", "community", "created"])]

    def __str__(self) -> str:
        return self.name


class SiteSettings(models.Model):
    """Site-wide settings admins change without a deploy (one row)."""

    class Registration(models.TextChoices):
        OPEN = "open", "Open: anyone can sign up"
        INVITATION = "invitation", "By invitation only"
        CLOSED = "closed", "Closed"

    registration = models.CharField(
        max_length=12, choices=Registration.choices, default=Registration.OPEN
    )
    require_moderator_mfa = models.BooleanField(
        default=True,
        help_text="Moderators, owners and staff must set up two-factor authentication to act.",
    )
    chat_burst = models.PositiveSmallIntegerField(default=5)
    chat_seconds_per_message = models.PositiveSmallIntegerField(default=2)
    posts_per_hour = models.PositiveSmallIntegerField(default=30)
    flags_per_hour = models.PositiveSmallIntegerField(default=20)

    class Meta:
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"


class SafetyPlan(models.Model):
    """A member's own safety plan (Stanley-Brown), readable by them alone.

    Deliberately not registered in the admin, never audited and never shown in a
    moderation view: nobody but the member reads it (see tests/accounts/test_safety_plan.py).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="safety_plan")
    warning_signs = models.TextField(blank=True)
    coping_strategies = models.TextField(blank=True)
    people_and_places = models.TextField(blank=True)
    people_to_ask = models.TextField(blank=True)
    professionals = models.TextField(blank=True)
    safer_surroundings = models.TextField(blank=True)
    reasons_for_living = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        # Never the contents: a plan's text must not leak into logs or error pages.
        return "Safety plan"


class ReaderFilter(models.Model):
    """One of a member's reader filters: a muted word, a muted topic, or a break from a
    community. All of a member's filters are read in one query (accounts.selectors)."""

    class Kind(models.TextChoices):
        WORD = "word", "Muted word"
        TOPIC = "topic", "Muted topic"
        BREAK = "break", "Break from a community"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reader_filters")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    phrase = models.CharField(max_length=100, blank=True, help_text="As the member typed it.")
    normalised = models.CharField(max_length=300, blank=True)
    topic = models.ForeignKey(
        "forum.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "forum.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return self.get_kind_display()
