"""Seed a benchmark site: a community with 50 topics and a topic with 30 posts."""

import os
import sys
from datetime import timedelta

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from accounts.models import SiteSettings, User  # noqa: E402
from forum.models import Topic  # noqa: E402
from forum.services import (  # noqa: E402
    community_create,
    membership_grant,
    post_reply,
    reaction_toggle,
    topic_create,
)

BODY = (
    "Some days are harder than others. Today I tried the breathing exercise from the group "
    "and it helped a little. **Thank you** all for being here; reading your posts makes me "
    "feel less alone.\n\n> one step at a time\n\nI'll check in tomorrow."
)


def main() -> None:
    """Create the data once; report the topic id on stdout for the benchmark."""
    users = [User.objects.create_user(username=f"bench{n}", password=None) for n in range(5)]
    # The hourly posting limit would stop the seeding; this site is thrown away afterwards.
    SiteSettings.objects.update_or_create(pk=1, defaults={"posts_per_hour": 32767})
    community = community_create(name="Bench", slug="bench")
    for user in users:
        # Established members: the new-member limits would stop the seeding otherwise.
        membership = membership_grant(user=user, community=community)
        membership.joined = membership.joined - timedelta(days=30)
        membership.save(update_fields=["joined"])
    for index in range(50):
        topic_create(
            user=users[index % 5], community=community, title=f"Topic number {index}", body=BODY
        )
        if (index + 1) % 10 == 0:
            sys.stderr.write(f"seeded {index + 1}/50 topics\n")
    topic = Topic.objects.filter(community=community).latest("pk")
    for index in range(29):
        post = post_reply(user=users[index % 5], topic=topic, body=f"Reply {index}. {BODY}")
        reaction_toggle(user=users[(index + 1) % 5], post=post, kind="support")
        if (index + 2) % 10 == 0:
            sys.stderr.write(f"seeded {index + 2}/30 posts\n")
    sys.stdout.write(f"{topic.pk}\n")


if __name__ == "__main__":
    main()
