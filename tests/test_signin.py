"""Signing in to the admin is throttled: wrong passwords lock out that account from that address
(django-axes), without locking the engineer out from elsewhere."""

import pytest
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"


def sign_in(client: Client, password: str, **extra):
    return client.post(
        LOGIN, {"username": "engineer", "password": password, "next": "/admin/"}, **extra
    )


@pytest.fixture
def engineer(staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    return staff_user


def test_wrong_passwords_lock_the_account_out_from_that_address(engineer):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Signing in is paused" in locked.content.decode()
    # Even the right password is refused now, so guessing on is pointless.
    assert sign_in(client, "a-long-test-password").status_code == 429
    assert client.get("/admin/kb/entry/").status_code == 302


def test_forty_quick_guesses_never_get_in(engineer):
    client = Client(REMOTE_ADDR="203.0.113.8")
    statuses = [sign_in(client, f"guess-{n}").status_code for n in range(40)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert statuses.count(429) == 36  # the fifth wrong password locks
    assert sign_in(client, "a-long-test-password").status_code == 429


def test_the_engineer_still_signs_in_from_another_address(engineer):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        sign_in(attacker, "wrong")
    engineer_client = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(engineer_client, "a-long-test-password").status_code == 302


def test_a_right_password_resets_the_count(engineer):
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, "a-long-test-password").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200


def test_the_lockout_follows_the_client_behind_a_trusted_proxy(engineer, settings):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32",)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.11")
    for _ in range(5):
        sign_in(attacker, "wrong")
    assert sign_in(attacker, "a-long-test-password").status_code == 429
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert sign_in(colleague, "a-long-test-password").status_code == 302


def test_a_forged_forwarded_address_from_outside_the_proxies_locks_out_only_its_sender(
    engineer, settings
):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32",)
    forger = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="203.0.113.12")
    for _ in range(5):
        sign_in(forger, "wrong")
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.12")
    assert sign_in(colleague, "a-long-test-password").status_code == 302
