"""Helpers for the administration tests: two-factor authentication and owners."""

from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

from accounts.models import User
from forum.models import Community, Membership
from tests.conftest import make_community, make_member, make_user


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def two_factor_on(user: User) -> Authenticator:
    """Give `user` an authenticator app, as allauth's activation does."""
    return TOTP.activate(user, generate_totp_secret()).instance


def owned_community(**fields: object) -> tuple[User, Community]:
    """A community and its owner, who has two-factor authentication on."""
    owner = make_user()
    community = make_community(**fields)  # type: ignore[arg-type]
    make_member(owner, community, Membership.Role.OWNER)
    two_factor_on(owner)
    return owner, community
