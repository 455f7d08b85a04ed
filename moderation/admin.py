"""The Django admin for moderation: a read-only audit log, helplines and the crisis lexicon."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from moderation.models import (
    CrisisFeedback,
    Flag,
    Helpline,
    LexiconEntry,
    MemberNotice,
    ModerationAction,
    QueueItem,
    WatchedWord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are only ever written by services: staff read them here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created", "actor_label", "kind", "community", "subject", "target")
    list_filter = ("kind", "community")
    search_fields = ("actor_label", "subject__name", "target", "reason")
    date_hierarchy = "created"


@admin.register(QueueItem)
class QueueItemAdmin(ReadOnlyAdmin):
    list_display = ("created", "community", "source", "priority", "state", "resolution")
    list_filter = ("state", "source", "priority", "community")
    search_fields = ("reason", "subject__name")
    date_hierarchy = "created"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("created", "community", "reason", "dismissed")
    list_filter = ("reason", "dismissed", "community")
    exclude = ("reporter",)


@admin.register(MemberNotice)
class MemberNoticeAdmin(ReadOnlyAdmin):
    list_display = ("created", "community", "kind", "appealed")
    list_filter = ("kind", "community")
    exclude = ("user",)


@admin.register(CrisisFeedback)
class CrisisFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("created", "verdict", "detected_severity", "expected_severity")
    list_filter = ("verdict", "detected_severity")


@admin.register(Helpline)
class HelplineAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "country", "phone_display", "is_emergency", "last_checked")
    list_filter = ("country", "is_emergency")
    search_fields = ("name", "country", "phone_display")


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    list_display = ("phrase", "category", "severity", "created")
    list_filter = ("severity", "category")
    search_fields = ("phrase", "note")


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ("phrase", "community", "action", "created")
    list_filter = ("action", "community")
    search_fields = ("phrase",)
