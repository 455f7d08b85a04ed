"""Build the small living demo site of DESIGN.md; safe to run again."""

import secrets
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import SiteSettings, User
from forum import demo_content
from forum.models import Community, Membership
from forum.services import community_create, membership_grant

DEMO_ACCOUNTS = ("river", "sky", "mod", "admin")


class Command(BaseCommand):
    help = "Create or refresh the demo communities, rooms, topics and accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="Give every demo account this password.")

    def handle(self, *args: Any, **options: Any) -> None:
        password: str | None = options.get("password")
        with transaction.atomic():
            # The demo site is for trying Kindred out: no two-factor setup for its moderators.
            SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
            created_passwords = self._accounts(password)
            anxiety, carers = self._communities()
            users = {
                user.username: user for user in User.objects.filter(username__in=DEMO_ACCOUNTS)
            }
            membership_grant(user=users["river"], community=anxiety)
            membership_grant(user=users["river"], community=carers)
            membership_grant(user=users["sky"], community=anxiety)
            membership_grant(user=users["mod"], community=anxiety, role=Membership.Role.MODERATOR)
            membership_grant(user=users["admin"], community=anxiety, role=Membership.Role.OWNER)
            membership_grant(user=users["admin"], community=carers, role=Membership.Role.OWNER)
            # The demo members have been around for a while: the gentle new-member limits
            # are for real newcomers.
            Membership.objects.filter(user__in=users.values()).update(
                joined=timezone.now() - timedelta(days=60)
            )
            demo_content.build(anxiety=anxiety, carers=carers, users=users, log=self._progress)
        self._report(password, created_passwords)

    def _progress(self, text: str) -> None:
        self.stdout.write(f"  {text}")

    def _accounts(self, password: str | None) -> dict[str, str]:
        created: dict[str, str] = {}
        for username in DEMO_ACCOUNTS:
            user, was_created = User.objects.get_or_create(username=username)
            if username == "admin" and not user.is_superuser:
                user.is_superuser = user.is_staff = True
            if password:
                user.set_password(password)
            elif was_created:
                created[username] = secrets.token_urlsafe(9)
                user.set_password(created[username])
            user.save()
        return created

    def _communities(self) -> tuple[Community, Community]:
        anxiety = Community.objects.filter(slug="anxiety").first() or community_create(
            name="Living with anxiety",
            slug="anxiety",
            description="A calm place to talk about anxiety, panic and worry, and what helps.",
            rules=demo_content.RULES,
            visibility=Community.Visibility.PUBLIC,
            join_policy=Community.JoinPolicy.OPEN,
            helpline_region="GB",
        )
        carers = Community.objects.filter(slug="carers").first() or community_create(
            name="Family and carers",
            slug="carers",
            description="For people supporting someone they love through mental illness.",
            rules=demo_content.RULES,
            visibility=Community.Visibility.MEMBERS,
            join_policy=Community.JoinPolicy.APPROVAL,
            helpline_region="GB",
        )
        return anxiety, carers

    def _report(self, password: str | None, created: dict[str, str]) -> None:
        self.stdout.write(
            self.style.SUCCESS("Demo site ready: communities 'anxiety' and 'carers'.")
        )
        for username in DEMO_ACCOUNTS:
            if password:
                shown = "the password you gave"
            elif username in created:
                shown = f"password {created[username]}  (shown once)"
            else:
                shown = "password unchanged (use --password to set one)"
            self.stdout.write(f"  {username:<6} {shown}")
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/")
        self.stdout.write(
            self.style.WARNING(
                "Demo site: moderators are not required to set up two-factor authentication "
                "(required everywhere else)."
            )
        )
