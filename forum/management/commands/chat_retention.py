"""Delete chat messages older than each community's retention (run daily from a timer).

    python manage.py chat_retention [--dry-run] [--batch-size N]

Communities without a retention keep their messages. Messages still in front of the
moderators (an open queue item) are kept until it is resolved.
"""

import functools
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from forum.admin_services import chat_retention_apply
from forum.models import Community


class Command(BaseCommand):
    help = "Delete chat messages older than each community's retention setting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        communities = Community.objects.filter(chat_retention_days__isnull=False).order_by("slug")
        total = 0
        for community in communities:
            cutoff = now - timedelta(days=community.chat_retention_days or 0)
            count = chat_retention_apply(
                community=community,
                cutoff=cutoff,
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                progress=functools.partial(self._progress, community.slug),
            )
            verb = "would delete" if options["dry_run"] else "deleted"
            self.stdout.write(
                f"{community.slug}: {verb} {count} message(s) older than "
                f"{community.chat_retention_days} day(s)"
            )
            total += count
        verb = "would be deleted" if options["dry_run"] else "deleted"
        self.stdout.write(self.style.SUCCESS(f"chat_retention: {total} message(s) {verb}"))

    def _progress(self, slug: str, done: int) -> None:
        self.stdout.write(f"  {slug}: {done} deleted so far")
