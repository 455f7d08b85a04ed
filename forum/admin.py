"""The Django admin for communities and their content.

Memberships are shown by alias, never by account (see accounts/admin.py).
"""

from django.contrib import admin
from django.http import HttpRequest

from forum.models import Community, Invitation, Membership, Post, Topic


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "join_policy", "crisis_hold", "created")
    list_filter = ("visibility", "join_policy", "crisis_hold", "approve_first_posts")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("rules_html", "welcome_html")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("alias", "community", "role", "state", "joined", "muted_until")
    list_filter = ("role", "state", "community")
    search_fields = ("alias__name",)
    exclude = ("user",)
    readonly_fields = ("alias", "community", "joined", "application_answer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "note", "uses", "max_uses", "expires", "revoked", "created")
    list_filter = ("community", ("revoked", admin.EmptyFieldListFilter))
    search_fields = ("note", "community__name")
    readonly_fields = ("code", "uses", "created_by", "created")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "author", "state", "pinned", "locked", "created")
    list_filter = ("state", "community", "support_type", "pinned", "locked")
    search_fields = ("title", "author__name")
    readonly_fields = ("author", "community", "created", "post_count", "reply_count")
    raw_id_fields = ()


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "state", "crisis_severity", "created")
    list_filter = ("state", "crisis_severity", "topic__community")
    search_fields = ("source", "author__name")
    readonly_fields = ("topic", "author", "number", "html", "created", "edited")
