"""Chat rooms of a community and the messages written in them."""

from django.db import models
from django.utils import timezone

MESSAGE_MAX_LENGTH = 4000


class Room(models.Model):
    """A live group-chat room in a community."""

    community = models.ForeignKey("forum.Community", on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=50)
    description = models.CharField(max_length=300, blank=True)
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="room_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.community.slug}/{self.slug}"


class MessageQuerySet(models.QuerySet["Message"]):
    def visible(self) -> "MessageQuerySet":
        return self.filter(state=Message.State.VISIBLE)


class Message(models.Model):
    """One chat message; stored before it is broadcast."""

    class State(models.TextChoices):
        VISIBLE = "visible", "Visible"
        REMOVED = "removed", "Removed"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    alias = models.ForeignKey("accounts.Alias", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    body_html = models.TextField()
    created = models.DateTimeField(default=timezone.now, db_index=True)
    client_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            # Re-sending after a reconnect must not store a message twice.
            models.UniqueConstraint(
                fields=["alias", "client_id"],
                condition=~models.Q(client_id=""),
                name="message_client_id_once",
            ),
        ]
        indexes = [models.Index(fields=["room", "id"])]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.room_id}"
