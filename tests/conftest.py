"""Plain factory functions and fixtures shared by every test folder."""

import itertools
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

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


def make_member(user: User, community: Community, role: str = Membership.Role.MEMBER) -> Membership:
    return membership_grant(user=user, community=community, role=role)


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
