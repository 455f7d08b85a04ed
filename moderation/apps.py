from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation and crisis support"

    def ready(self) -> None:
        from moderation import signals  # noqa: F401 - registers the cache invalidation
