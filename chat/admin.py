"""The Django admin for chat rooms and messages (messages are read-only here)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chat.models import Message, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "slug", "slow_mode_seconds", "archived", "created")
    list_filter = ("archived", "community")
    search_fields = ("name", "slug")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "room", "alias", "state", "created")
    list_filter = ("state", "room__community")
    search_fields = ("body", "alias__name")
    readonly_fields = ("room", "alias", "body", "body_html", "created", "client_id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
