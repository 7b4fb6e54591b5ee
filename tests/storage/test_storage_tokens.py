"""API tokens: given once, stored as a hash, verified, revoked."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from storage_support import T0, FakeClock

from bizmap.storage import Store, TokenInfo, TokenNameInUse
from bizmap.storage.schema import tokens


def test_a_created_token_verifies_with_its_name_and_role(store: Store) -> None:
    token = store.create_token("alertmanager", "ingest")

    assert token.startswith("bzm_") and len(token) == 4 + 43  # 32 random bytes, url-safe base64
    info = store.verify_token(token)
    assert info == TokenInfo(info.id if info else 0, "alertmanager", "ingest", T0, None, T0)
    assert store.verify_token(token + "x") is None
    assert store.verify_token("") is None


def test_only_the_hash_of_a_token_is_stored(store: Store) -> None:
    token = store.create_token("ops", "admin")

    with store.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.select(tokens))]

    assert len(rows) == 1
    assert not any(token in str(value) or token[4:] in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]


def test_tokens_are_unguessable_and_distinct(store: Store) -> None:
    assert store.create_token("a", "read") != store.create_token("b", "read")


def test_a_revoked_token_no_longer_verifies(store: Store, clock: FakeClock) -> None:
    token = store.create_token("ci", "operate")
    kept = store.create_token("viewer", "read")
    clock.advance(10)

    assert store.revoke_token("ci") is True
    assert store.revoke_token("ci") is False
    assert store.revoke_token("nobody") is False

    assert store.verify_token(token) is None
    assert store.verify_token(kept) is not None
    assert [t.name for t in store.list_tokens()] == ["viewer"]
    assert [(t.name, t.revoked_at) for t in store.list_tokens(include_revoked=True)] == [
        ("ci", T0 + 10),
        ("viewer", None),
    ]


def test_a_name_has_one_live_token_and_can_have_a_new_one_once_revoked(store: Store) -> None:
    old = store.create_token("grafana", "read")
    with pytest.raises(TokenNameInUse, match="grafana"):
        store.create_token("grafana", "admin")

    store.revoke_token("grafana")
    new = store.create_token("grafana", "admin")

    assert store.verify_token(old) is None
    info = store.verify_token(new)
    assert info is not None and info.role == "admin"


@pytest.mark.parametrize("name, role", [("x", "root"), ("x", ""), ("", "read")])
def test_a_token_needs_a_name_and_a_known_role(store: Store, name: str, role: str) -> None:
    with pytest.raises(ValueError):
        store.create_token(name, role)
    assert store.list_tokens(include_revoked=True) == []


def test_last_use_is_noted_at_most_once_a_minute(store: Store, clock: FakeClock) -> None:
    token = store.create_token("agent", "ingest")
    assert store.list_tokens()[0].last_used_at is None

    clock.advance(5)
    assert store.verify_token(token).last_used_at == T0 + 5  # type: ignore[union-attr]
    clock.advance(30)
    store.verify_token(token)
    assert store.list_tokens()[0].last_used_at == T0 + 5
    clock.advance(30)
    store.verify_token(token)
    assert store.list_tokens()[0].last_used_at == T0 + 65
