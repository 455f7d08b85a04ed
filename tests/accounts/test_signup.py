"""Sign-up, log-in, log-out and password change with a username and password only."""

import pytest

from accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_sign_up_needs_no_email(client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newpeer",
            "password1": "a-calm-long-pass-9",
            "password2": "a-calm-long-pass-9",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newpeer")
    assert user.email == ""
    assert client.get("/me/").status_code == 200


def test_sign_up_form_keeps_what_was_typed_when_passwords_differ(client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"username": "keepme", "password1": "a-calm-long-pass-9", "password2": "different-pass-9"},
    )
    assert response.status_code == 200
    assert b'value="keepme"' in response.content
    assert not User.objects.filter(username="keepme").exists()


def test_log_in_and_log_out_with_username(client) -> None:
    make_user("returning", password="a-long-test-password")
    response = client.post(
        "/accounts/login/", {"login": "returning", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302


def test_password_change(client) -> None:
    user = make_user("changer", password="a-long-test-password")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "a-long-test-password",
            "password1": "another-long-pass-7",
            "password2": "another-long-pass-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-7")
