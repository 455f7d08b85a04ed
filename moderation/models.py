"""Moderation: helplines now; flags, queues and the audit log grow here."""

from django.db import models


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

    class Meta:
        ordering = ["country", "is_emergency", "position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country or 'international'})"
