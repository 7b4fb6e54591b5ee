"""Users and sessions of the web UI (bizmap.storage.users), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from storage_support import FakeClock

from bizmap.storage import Store
from bizmap.storage.users import SESSION_SECONDS, UserError, UserStore, hash_password, password_matches


@pytest.fixture
def people(store: Store, clock: FakeClock) -> UserStore:
    return UserStore(store.engine, clock=clock)


def test_a_password_is_stored_as_a_salted_scrypt_hash_that_only_it_matches() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in first
    assert first != second  # a fresh salt each time
    assert password_matches("correct horse", first)
    assert not password_matches("correct hors", first)
    assert not password_matches("correct horse", "md5$abc")
    assert not password_matches("correct horse", "garbage")


def test_a_user_logs_in_with_the_right_password_only(people: UserStore, store: Store) -> None:
    people.add_user("ada", "operate", "correct horse")
    user = people.check_password("ada", "correct horse")
    assert user is not None
    assert (user.name, user.role) == ("ada", "operate")
    assert people.check_password("ada", "wrong horse") is None
    assert people.check_password("bob", "correct horse") is None


@pytest.mark.parametrize(
    ("name", "role", "password", "fragment"),
    [
        ("", "read", "long enough", "needs a name"),
        ("ada", "ingest", "long enough", "unknown role 'ingest'"),
        ("ada", "root", "long enough", "unknown role 'root'"),
        ("ada", "read", "short", "at least 8"),
    ],
)
def test_a_bad_user_is_refused_saying_why(
    people: UserStore, name: str, role: str, password: str, fragment: str
) -> None:
    with pytest.raises(UserError, match=fragment):
        people.add_user(name, role, password)


def test_a_name_is_taken_once(people: UserStore) -> None:
    people.add_user("ada", "read", "long enough")
    with pytest.raises(UserError, match="'ada' exists"):
        people.add_user("ada", "admin", "long enough")
    assert [(u.name, u.role) for u in people.list_users()] == [("ada", "read")]


def test_a_session_lives_until_it_expires_or_ends(people: UserStore, clock: FakeClock) -> None:
    people.add_user("ada", "admin", "long enough")
    session = people.create_session("ada", "password")
    info = people.session(session)
    assert info is not None
    assert (info.principal, info.via, info.role) == ("ada", "password", "admin")
    assert people.session(session + "x") is None

    clock.advance(SESSION_SECONDS - 1)
    assert people.session(session) is not None
    clock.advance(1)  # exactly at expiry: gone
    assert people.session(session) is None

    again = people.create_session("ada", "password")
    people.end_session(again)
    assert people.session(again) is None


def test_only_the_hash_of_a_session_id_is_stored(people: UserStore, store: Store) -> None:
    people.add_user("ada", "read", "long enough")
    session = people.create_session("ada", "password")
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT id_hash FROM ui_sessions").scalars().all()
    assert len(stored) == 1
    assert session not in stored[0]
    assert len(stored[0]) == 64


def test_removing_a_user_ends_their_sessions_and_a_role_change_shows_at_once(people: UserStore) -> None:
    people.add_user("ada", "operate", "long enough")
    session = people.create_session("ada", "password")
    assert people.remove_user("ada") is True
    assert people.session(session) is None
    assert people.remove_user("ada") is False


def test_a_token_session_ends_when_the_token_is_revoked(people: UserStore, store: Store) -> None:
    store.create_token("wall-screen", "read")
    session = people.create_session("wall-screen", "token")
    info = people.session(session)
    assert info is not None
    assert info.role == "read"
    store.revoke_token("wall-screen")
    assert people.session(session) is None


def test_an_ingest_token_gives_no_session(people: UserStore, store: Store) -> None:
    store.create_token("collector", "ingest")
    assert people.session(people.create_session("collector", "token")) is None
