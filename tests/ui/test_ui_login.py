"""Login and logout in a real browser: with a user's password and with an API token."""

from __future__ import annotations

from typing import Any

from ui_support import UiServer

from conftest import shoot


def test_a_page_without_a_session_sends_the_browser_to_login_and_back(page: Any, server: UiServer) -> None:
    page.goto(server.url + "/ui/overview")
    page.wait_for_url("**/login?next=/ui/overview")
    shoot(page, "login")
    page.get_by_label("Name", exact=True).fill("read-user")
    page.get_by_label("Password", exact=True).fill("reader-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/ui/overview")
    assert page.get_by_role("heading", name="Business services now").is_visible()
    assert "read-user" in page.locator("header").inner_text()


def test_a_wrong_password_is_refused_and_says_so(page: Any, server: UiServer) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Name", exact=True).fill("read-user")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    assert "That did not work" in page.get_by_role("alert").inner_text()
    page.goto(server.url + "/ui/overview")
    page.wait_for_url("**/login?next=/ui/overview")


def test_login_with_a_token_then_logout_ends_the_session(page: Any, server: UiServer) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Token (role read, operate or admin)").fill(server.tokens["admin"])
    page.get_by_role("button", name="Log in with token").click()
    page.wait_for_url("**/ui/overview")
    assert "ui-admin (admin)" in page.locator("header").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "bizmap_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(server.url + "/ui/overview")
    page.wait_for_url("**/login?next=/ui/overview")
    # the old cookie value no longer opens a session, even if a browser kept it
    page.context.add_cookies([{**cookie}])
    page.goto(server.url + "/ui/overview")
    page.wait_for_url("**/login?next=/ui/overview")


def test_an_ingest_token_cannot_log_in(page: Any, server: UiServer) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Token (role read, operate or admin)").fill(server.tokens["ingest"])
    page.get_by_role("button", name="Log in with token").click()
    assert "Ingest tokens cannot log in" in page.get_by_role("alert").inner_text()


def test_logged_in_page_fixture_is_an_operator(logged_in_page: Any, server: UiServer) -> None:
    assert "operate-user (operate)" in logged_in_page.locator("header").inner_text()
    logged_in_page.goto(server.url + "/login")  # already logged in: straight on
    logged_in_page.wait_for_url("**/ui/overview")
