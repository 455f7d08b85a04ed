"""Load moderation/data/helplines.json into the Helpline table; safe to run again."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from moderation.helplines import DATA_FILE, HelplineDataError, helplines_read, helplines_sync
from moderation.models import Helpline


class Command(BaseCommand):
    help = (
        "Make the helplines that came from the data file match it again: add new entries, "
        "update changed ones and delete ones the file no longer lists. Helplines added in "
        "the admin are kept; edits made in the admin to rows from the file are overwritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="Another data file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = helplines_read(options["file"])
        except HelplineDataError as error:
            # Refuse the whole file: half a list of crisis numbers is worse than the old one.
            raise CommandError(
                "The helpline data file has problems, nothing was changed:\n  "
                + "\n  ".join(error.problems)
            ) from error
        with transaction.atomic():
            result = helplines_sync(Helpline, data)
        self.stdout.write(
            f"Helplines from the data file (version {data.version.isoformat()}): "
            f"{result.created} added, {result.updated} updated, {result.removed} removed; "
            f"{result.kept} added in the admin kept."
        )
