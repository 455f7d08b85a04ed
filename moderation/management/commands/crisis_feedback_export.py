"""Print moderators' crisis-detector feedback as development-set lines for review."""

from typing import Any

from django.core.management.base import BaseCommand

from moderation.models import CrisisFeedback


class Command(BaseCommand):
    help = (
        "Print false alarms and missed cases marked by moderators in the format of "
        "tests/crisis/devset.tsv (text, expected severity, note), for the team to review "
        "before adding them. The lines hold members' words: keep the output private."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = CrisisFeedback.objects.exclude(verdict=CrisisFeedback.Verdict.CORRECT)
        count = 0
        for feedback in rows.order_by("created").iterator():
            expected = feedback.expected_severity or (
                "none"
                if feedback.verdict == CrisisFeedback.Verdict.FALSE_POSITIVE
                else feedback.detected_severity
            )
            text = " ".join(feedback.text.split())
            note = f"moderator {feedback.verdict}, detected {feedback.detected_severity}"
            self.stdout.write(f"{text}\t{expected}\t{note}")
            count += 1
        self.stderr.write(f"{count} feedback line(s)")
