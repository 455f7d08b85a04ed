"""The Django admin for accounts, arranged for staff who run the site.

Aliases are listed without their account, and accounts without their aliases: only the
audited reveal page (/staff/reveal/) links the two.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from accounts.models import Alias, SiteSettings, User


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
