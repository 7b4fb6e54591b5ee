"""The login throttle: failures count per (user name, address) pair and per address, never per
name alone (so nobody can lock a user out from afar); token logins, which carry no name, count
per address. Truth tables on ``LoginThrottle`` with the clock passed in, properties with
Hypothesis, and the rule through the login form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import LoginThrottle
from helpers import SECTION_9_MODEL

PAIR_LIMIT, ADDRESS_LIMIT, WINDOW, LOCKOUT = 5, 50, 300.0, 300.0


def throttle() -> LoginThrottle:
    return LoginThrottle(
        max_failures=PAIR_LIMIT,
        max_failures_per_address=ADDRESS_LIMIT,
        window_seconds=WINDOW,
        lockout_seconds=LOCKOUT,
    )


# --- one pair ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "gap", "after", "wait"),
    [
        (4, 10.0, 0.0, 0.0),  # four failures: not yet
        (5, 10.0, 0.0, 300.0),  # the fifth locks, for five minutes from itself
        (5, 10.0, 120.0, 180.0),  # two minutes later: three to go
        (5, 10.0, 300.0, 0.0),  # five minutes later: free again
        (5, 80.0, 0.0, 0.0),  # spread over 320 s: the first has left the 300 s window
        (5, 74.0, 0.0, 300.0),  # 296 s: all five inside the window
    ],
)
def test_a_pair_is_held_after_five_failures_in_the_window(
    failures: int, gap: float, after: float, wait: float
) -> None:
    held = throttle()
    at = 0.0
    for number in range(failures):
        at = number * gap
        held.failed("10.0.0.1", "ada", at)
    assert held.wait_seconds("10.0.0.1", "ada", at + after) == pytest.approx(wait)


# --- who else is held when ada's password fails five times from 10.0.0.1 ------------------------


@pytest.mark.parametrize(
    ("address", "name", "held"),
    [
        ("10.0.0.1", "ada", True),  # the pair that failed
        ("10.0.0.1", "bob", False),  # a colleague behind the same address (an office NAT)
        ("10.0.0.1", None, False),  # a token login from that address
        ("10.0.0.2", "ada", False),  # ada herself from another address: not locked out
        ("10.0.0.2", None, False),
    ],
)
def test_five_failures_of_one_pair_hold_only_that_pair(address: str, name: str | None, held: bool) -> None:
    throttle_ = throttle()
    for second in range(5):
        throttle_.failed("10.0.0.1", "ada", float(second))
    assert (throttle_.wait_seconds(address, name, 5.0) > 0) is held


# --- the address ceiling: a guesser spraying names ---------------------------------------------


@pytest.mark.parametrize(
    ("names", "tokens", "held"),
    [
        (49, 0, False),  # 49 names, one failure each: under the ceiling
        (50, 0, True),  # the 50th failure from the address holds it, for every name and token
        (46, 4, True),  # token failures count towards the ceiling too
        (45, 4, False),
    ],
)
def test_the_address_is_held_after_fifty_failures_whatever_the_names(
    names: int, tokens: int, held: bool
) -> None:
    throttle_ = throttle()
    for number in range(names):
        throttle_.failed("10.0.0.1", f"user-{number}", float(number))
    for number in range(tokens):
        throttle_.failed("10.0.0.1", None, 100.0 + number)
    for name in ("ada", "user-0", None):
        assert (throttle_.wait_seconds("10.0.0.1", name, 110.0) > 0) is held, name
    assert throttle_.wait_seconds("10.0.0.2", "ada", 110.0) == 0.0  # another address is not held


def test_token_logins_count_per_address_and_do_not_hold_password_logins() -> None:
    throttle_ = throttle()
    for second in range(5):
        throttle_.failed("10.0.0.1", None, float(second))
    assert throttle_.wait_seconds("10.0.0.1", None, 5.0) == pytest.approx(299.0)
    assert throttle_.wait_seconds("10.0.0.1", "ada", 5.0) == 0.0
    assert throttle_.wait_seconds("10.0.0.2", None, 5.0) == 0.0


def test_failures_of_one_name_from_many_addresses_lock_nobody_out() -> None:
    """No key per name alone: anyone could otherwise lock ada out by failing her name."""
    throttle_ = throttle()
    for number in range(100):
        throttle_.failed(f"10.0.{number}.1", "ada", float(number))
    assert throttle_.wait_seconds("10.9.9.9", "ada", 100.0) == 0.0
    assert throttle_.wait_seconds("10.0.0.1", "ada", 100.0) == 0.0


# --- success ------------------------------------------------------------------------------------


def test_a_success_clears_its_pair_but_not_the_address_count() -> None:
    throttle_ = throttle()
    for second in range(4):
        throttle_.failed("10.0.0.1", "ada", float(second))
    throttle_.succeeded("10.0.0.1", "ada")
    for second in range(4):
        throttle_.failed("10.0.0.1", "ada", 10.0 + second)
    assert throttle_.wait_seconds("10.0.0.1", "ada", 14.0) == 0.0  # four since the success: not eight

    # a guesser who logs in to an account of their own between tries keeps their address count
    guesser = throttle()
    for number in range(49):
        guesser.failed("10.0.0.9", f"user-{number}", float(number))
    guesser.succeeded("10.0.0.9", "mallory")
    guesser.failed("10.0.0.9", "user-49", 60.0)
    assert guesser.wait_seconds("10.0.0.9", "mallory", 60.0) == pytest.approx(300.0)


def test_a_token_success_clears_the_token_count_of_its_address() -> None:
    throttle_ = throttle()
    for second in range(4):
        throttle_.failed("10.0.0.1", None, float(second))
    throttle_.succeeded("10.0.0.1", None)
    throttle_.failed("10.0.0.1", None, 10.0)
    assert throttle_.wait_seconds("10.0.0.1", None, 10.0) == 0.0


# --- properties ---------------------------------------------------------------------------------

ADDRESSES = st.sampled_from(["10.0.0.1", "10.0.0.2", "10.0.0.3", "::1"])
NAMES = st.one_of(st.none(), st.sampled_from(["ada", "bob", "eve"]), st.text(max_size=5))
FAILURES = st.lists(st.tuples(ADDRESSES, NAMES, st.floats(0, 30)), max_size=120)


@settings(max_examples=200, deadline=None)
@given(FAILURES, ADDRESSES, NAMES)
def test_only_failures_from_an_address_can_hold_it(
    failures: list[tuple[str, str | None, float]], address: str, name: str | None
) -> None:
    throttle_ = throttle()
    now = 0.0
    for where, who, gap in failures:
        now += gap
        if where != address:
            throttle_.failed(where, who, now)
    assert throttle_.wait_seconds(address, name, now) == 0.0


@settings(max_examples=200, deadline=None)
@given(FAILURES, ADDRESSES, NAMES)
def test_a_login_is_held_only_after_its_pairs_limit_or_its_addresss_ceiling(
    failures: list[tuple[str, str | None, float]], address: str, name: str | None
) -> None:
    """Held means: five failures of the same pair, or fifty from the address, at some point."""
    throttle_ = throttle()
    now, same_pair, same_address = 0.0, 0, 0
    for where, who, gap in failures:
        now += gap  # all within 120 x 30 s: a few windows, but a count below the limit stays below
        throttle_.failed(where, who, now)
        same_address += where == address
        same_pair += where == address and who == name
    if same_pair < PAIR_LIMIT and same_address < ADDRESS_LIMIT:
        assert throttle_.wait_seconds(address, name, now) == 0.0


# --- through the login form ---------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORDS = {"read": "reader-password", "operate": "operator-password"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    model = tmp_path / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    migrate(db)
    with Store(db) as store:
        tokens = {"read": store.create_token("t-read", "read")}
        for role, password in PASSWORDS.items():
            UserStore(store.engine).add_user(f"{role}-user", role, password)
    with TestClient(create_app(Settings(model=str(model), db=db), clock=Clock())) as client:
        yield client, tokens


def log_in(client: TestClient, **fields: str) -> int:
    client.cookies.clear()  # a fresh browser each time (the same address: TestClient's)
    form = CSRF.search(client.get("/login").text)
    assert form is not None
    answer = client.post("/login", data={"csrf_token": form.group(1), **fields}, follow_redirects=False)
    return answer.status_code


def test_five_bad_passwords_for_one_user_do_not_lock_out_the_others_at_that_address(
    site: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = site
    for _ in range(5):
        assert log_in(client, name="read-user", password="wrong-password") == 401
    assert log_in(client, name="read-user", password=PASSWORDS["read"]) == 429
    assert log_in(client, name="operate-user", password=PASSWORDS["operate"]) == 303
    assert log_in(client, token=tokens["read"]) == 303
