"""Signals, used only to invalidate the cached crisis lexicon."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from moderation.crisis_lexicon import lexicon_changed
from moderation.models import LexiconEntry


@receiver([post_save, post_delete], sender=LexiconEntry)
def lexicon_entry_changed(**kwargs: Any) -> None:
    lexicon_changed()
