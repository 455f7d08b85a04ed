"""Aliases: generated, unique within a community, unlinkable across communities."""

import re

import pytest
from django.core.exceptions import ValidationError

from accounts.aliases import alias_candidate
from accounts.models import Alias
from accounts.services import ALIAS_CHANGES_PER_30_DAYS, alias_change, alias_create
from tests.conftest import make_community, make_member, make_user


def test_generated_alias_is_readable() -> None:
    for _ in range(200):
        assert re.fullmatch(r"[A-Z][a-z]+[A-Z][a-z]+[1-9][0-9]", alias_candidate())


@pytest.mark.django_db
def test_joining_gives_an_alias_and_it_is_unique_in_the_community() -> None:
    community = make_community()
    names = {make_member(make_user(), community).alias.name.lower() for _ in range(60)}
    assert len(names) == 60


@pytest.mark.django_db
def test_a_taken_alias_cannot_be_chosen_again_in_any_case() -> None:
    community = make_community()
    alias_create(user=make_user(), community=community, name="QuietHeron42")
    with pytest.raises(ValidationError):
        alias_create(user=make_user(), community=community, name="quietheron42")


@pytest.mark.django_db
def test_the_same_name_may_exist_in_another_community() -> None:
    alias_create(user=make_user(), community=make_community(), name="BraveOtter11")
    other = alias_create(user=make_user(), community=make_community(), name="BraveOtter11")
    assert other.name == "BraveOtter11"


@pytest.mark.django_db
def test_one_persons_aliases_in_two_communities_are_independent() -> None:
    # Unlinkable: no shared part (prefix, number) that would let a peer match them up.
    user = make_user()
    pairs = []
    for _ in range(20):
        first = make_member(user, make_community()).alias.name
        second = make_member(user, make_community()).alias.name
        pairs.append((first, second))
    assert sum(first == second for first, second in pairs) == 0
    assert sum(first[-2:] == second[-2:] for first, second in pairs) < 5


@pytest.mark.django_db
def test_alias_changes_are_limited_and_old_names_are_never_reissued() -> None:
    user = make_user()
    community = make_community()
    original = make_member(user, community).alias
    for _ in range(ALIAS_CHANGES_PER_30_DAYS):
        alias_change(user=user, community=community)
    with pytest.raises(ValidationError):
        alias_change(user=user, community=community)
    original.refresh_from_db()
    assert original.retired is not None
    with pytest.raises(ValidationError):
        alias_create(user=make_user(), community=community, name=original.name)
    assert Alias.objects.filter(user=user, community=community).current().count() == 1
