"""Help and moderation pages."""

from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("help/replying/", views.help_replying, name="help_replying"),
]

# The queue, items, audit log, reports and notices live in their own module.
from moderation.queue_urls import urlpatterns as queue_urlpatterns  # noqa: E402

urlpatterns += queue_urlpatterns
