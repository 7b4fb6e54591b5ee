"""Whatever is typed into the events page's address, the page answers it: a filter it cannot
use is named on the page (422, as for the other filters), never a server error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from bizmap.web.app import create_app
from bizmap.web.sessions import SESSION_COOKIE
from helpers import SECTION_9_MODEL

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # what a URL can carry
LARGEST_SEQ = 2**63 - 1  # a signed 64-bit integer: SQLite's INTEGER, PostgreSQL's BIGINT


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("events-page")
    db = f"sqlite:///{folder / 'bizmap.db'}"
    model = folder / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    migrate(db)
    with Store(db) as store:
        ingest = store.create_token("ingest", "ingest")
        people = UserStore(store.engine)
        people.add_user("read-user", "read", "reader-password")
        session = people.create_session("read-user", "password")
    with TestClient(create_app(Settings(model=str(model), db=db)), follow_redirects=False) as test_client:
        posted = test_client.post(
            "/api/v1/events",
            json=[{"node": "app", "state": "down", "summary": "the first event"}],
            headers={"Authorization": f"Bearer {ingest}"},
        )
        assert posted.status_code == 202, posted.text
        test_client.cookies.set(SESSION_COOKIE, session)
        yield test_client


@pytest.mark.parametrize(
    "since",
    [
        "99999999999999999999999",  # more than any integer the database holds
        str(LARGEST_SEQ + 1),
        "9" * 5000,  # more digits than int() takes
        "²",  # a digit to str.isdigit, not to int()
        "١٢",  # Arabic-Indic digits: not a sequence number either
        "-1",
        "1e3",
    ],
)
def test_a_since_that_is_no_sequence_number_is_named_on_the_page(client: TestClient, since: str) -> None:
    for name in ("since", "before"):  # the filter and the pager's cursor
        page = client.get("/ui/events", params={name: since})
        assert page.status_code == 422
        assert f"{name}:" in page.text and "is not a sequence number" in page.text
        assert "the first event" in page.text  # the newest events, as without the filter


@pytest.mark.parametrize("since", ["0", "1", "0001", "0" * 5000, str(LARGEST_SEQ)])
def test_every_sequence_number_the_database_can_hold_is_a_page(client: TestClient, since: str) -> None:
    page = client.get("/ui/events", params={"since": since})
    assert page.status_code == 200, page.text
    assert ("the first event" in page.text) is (since.strip("0") == "")
    page = client.get("/ui/events", params={"before": since})  # the one event is number 1
    assert page.status_code == 200, page.text
    assert ("the first event" in page.text) is (since.lstrip("0") not in ("", "1"))


@settings(max_examples=100, deadline=None)
@given(since=st.one_of(TEXT, st.integers(min_value=-(2**80), max_value=2**80).map(str)))
def test_any_since_gets_a_page(client: TestClient, since: str) -> None:
    page = client.get("/ui/events", params={"since": since})
    assert page.status_code in (200, 422), page.text


@settings(max_examples=100, deadline=None)
@given(time_from=st.one_of(TEXT, st.datetimes().map(lambda d: d.isoformat())))
def test_any_from_gets_a_page(client: TestClient, time_from: str) -> None:
    page = client.get("/ui/events", params={"from": time_from})
    assert page.status_code in (200, 422), page.text
