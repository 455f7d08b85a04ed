"""List helplines whose details have not been checked for a year (or ever)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from moderation.selectors import STALE_AFTER_DAYS, helplines_stale


class Command(BaseCommand):
    help = (
        "List helplines not checked within a year (or never), so someone re-checks them "
        "against the service's own website. Always exits 0: a reminder, not a failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=STALE_AFTER_DAYS, help="Age that counts as stale."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        stale = helplines_stale(today=timezone.localdate(), max_age_days=days)
        for helpline in stale:
            checked = helpline.last_checked.isoformat() if helpline.last_checked else "never"
            origin = "data file" if helpline.from_data_file else "admin"
            self.stdout.write(
                f"{helpline.country or '--'}  {helpline.name}  "
                f"{helpline.phone_display or helpline.dial or helpline.sms or helpline.web}  "
                f"last checked: {checked}  ({origin}; source: {helpline.source or 'none'})"
            )
        noun = "helpline" if len(stale) == 1 else "helplines"
        self.stdout.write(f"{len(stale)} {noun} not checked in the last {days} days.")
