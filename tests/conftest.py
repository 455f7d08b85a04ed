"""Plain factory functions and fixtures shared by every test folder."""

import itertools
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from forum.models import Community, Membership
from forum.services import community_create, membership_grant

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "artefacts"
_counter = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    # Tests create many accounts; real password hashing would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(
    username: str | None = None, *, password: str = "a-long-test-password", **fields: object
) -> User:
    """An account with a known password."""
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(username=username, password=password, **fields)  # type: ignore[arg-type]
    return user


def make_community(slug: str | None = None, **fields: object) -> Community:
    """A public, open community unless told otherwise."""
    slug = slug or f"community{next(_counter)}"
    fields.setdefault("name", slug.title())
    creatable = {"name", "description", "rules", "visibility", "join_policy", "helpline_region"}
    settings_fields = {key: fields.pop(key) for key in list(fields) if key not in creatable}
    community = community_create(slug=slug, **fields)  # type: ignore[arg-type]
    if settings_fields:
        Community.objects.filter(pk=community.pk).update(**settings_fields)
        community.refresh_from_db()
    return community


def make_member(
    user: User, community: Community, role: str = Membership.Role.MEMBER, *, new: bool = False
) -> Membership:
    """An active member; established (joined a month ago) unless `new`, so that the gentle
    new-member limits only apply where a test asks for them."""
    membership = membership_grant(user=user, community=community, role=role)
    if not new:
        membership.joined = timezone.now() - timedelta(days=30)
        membership.save(update_fields=["joined"])
    return membership


@pytest.fixture
def artefacts() -> Path:
    """The ignored folder where browser tests leave screenshots."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    return url


def chromium_or_skip() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    return path


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    """Rate limits and throttles live in the cache; each test starts with none."""
    from django.core.cache import cache

    from moderation import screening

    cache.clear()
    screening._watched_cache.clear()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the security suites' counts (payloads tried, URLs checked) at the end of the run,
    and keep them in artefacts/security-counts.txt."""
    from tests.security.counts import counts_recorded

    counts = counts_recorded()
    if not counts:
        return
    lines = [f"{name}: {value}" for name, value in counts.items()]
    terminalreporter.write_sep("-", "security counts")
    for line in lines:
        terminalreporter.write_line(line)
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "security-counts.txt").write_text("\n".join(lines) + "\n")


def helplines_present() -> None:
    """Load the shipped helplines if a transactional test's flush removed the migration's rows."""
    from django.core.management import call_command

    from moderation.models import Helpline

    if not Helpline.objects.exists():
        call_command("helplines_load", verbosity=0)
