"""The Django admin for accounts, arranged for staff who run the site.

Aliases are listed without their account, and accounts without their aliases: only the
audited reveal page (/staff/reveal/) links the two. A member's safety plan and reader
filters are not registered here at all, and the deletion summary leaves them out: even
whether someone has a safety plan is theirs alone.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst

from accounts.models import Alias, ReaderFilter, SafetyPlan, SiteSettings, User

PRIVATE_MODELS: tuple[type[Model], ...] = (SafetyPlan, ReaderFilter)


def _without_private(objects: list[Any]) -> list[Any]:
    """The admin's nested list of what a deletion removes, minus the member's private rows
    (unregistered models appear as "<Verbose name>: <str>")."""
    prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in PRIVATE_MODELS)
    kept: list[Any] = []
    for entry in objects:
        if isinstance(entry, list):
            kept.append(_without_private(entry))
        elif not str(entry).startswith(prefixes):
            kept.append(entry)
    return kept


@admin.register(User)
class KindredUserAdmin(UserAdmin):
    list_display = (
        "username",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
        "suspended_until",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "country")
    search_fields = ("username", "email")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (
            "Kindred",
            {"fields": ("country", "suspended_until", "notify_replies", "notify_mentions")},
        ),
    )

    def get_deleted_objects(
        self, objs: "Sequence[Any] | QuerySet[Any]", request: HttpRequest
    ) -> tuple[list[Any], dict[Any, int], set[Any], list[Any]]:
        deleted, counts, permissions_needed, protected = super().get_deleted_objects(objs, request)
        private = {model._meta.verbose_name_plural for model in PRIVATE_MODELS}
        counts = {name: count for name, count in counts.items() if name not in private}
        return _without_private(deleted), counts, permissions_needed, protected


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "created", "retired")
    list_filter = ("community", ("retired", admin.EmptyFieldListFilter))
    search_fields = ("name",)
    exclude = ("user",)
    readonly_fields = ("name", "community", "created", "retired")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "registration", "require_moderator_mfa")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
