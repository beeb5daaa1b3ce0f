"""The web chat page in a real headless Chromium (Debian's, driven by Playwright): ask, follow up,
click a suggestion, see the sources and the salary bars; screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ROOT, Server, start_server

pytestmark = pytest.mark.real_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web")
    server = start_server(tmp, "--sessions", f"sqlite:///{tmp}/sessions.db")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _ask(page: Any, text: str) -> Any:
    """Type a question, send it with Enter, and return the bot's reply to it."""
    before = page.locator("#log > li.bot:not(.typing)").count()
    page.fill("#question", text)
    page.press("#question", "Enter")
    reply = page.locator("#log > li.bot:not(.typing)").nth(before)
    reply.wait_for()
    return reply


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_a_conversation_in_the_browser(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    assert page.locator("label[for=question]").count() == 1
    page.wait_for_selector(".suggestion")  # the starter questions
    assert page.evaluate("document.activeElement.id") == "question"

    reply = _ask(page, "What is Google's hiring process?")
    assert "Google's hiring" in reply.inner_text()
    assert "Google — Hiring Process" in reply.locator(".sources").inner_text()
    assert (
        reply.locator(".sources cite").first.inner_text()
        == "How to Become an ML Engineer at Top-Tier Companies"
    )

    reply = _ask(page, "and Amazon?")
    assert "Amazon's hiring" in reply.inner_text()
    assert "Amazon — Hiring Process" in reply.locator(".sources").inner_text()
    assert page.evaluate("document.activeElement.id") == "question"

    suggestion = page.locator(".suggestion").first
    question = suggestion.inner_text()
    before = page.locator("#log > li.bot:not(.typing)").count()
    suggestion.click()
    page.locator("#log > li.bot:not(.typing)").nth(before).wait_for()
    assert page.locator("#log > li.user").last.inner_text().endswith(question)

    reply = _ask(page, "How much do ML engineers make by level?")
    chart = reply.locator("figure.chart")
    assert chart.count() == 1
    labels = chart.locator(".bar-label").all_inner_texts()
    assert labels[:3] == ["Entry level", "Mid level", "Senior level"]
    assert chart.locator(".bar").count() >= 6
    assert "$110k–$150k" in chart.inner_text()

    reply = _ask(page, "What's the weather in Paris tomorrow?")
    assert "decline" in reply.get_attribute("class")
    assert reply.locator(".badge").inner_text().lower() == "not in the guides"

    reply = _ask(page, "Which states pay ML engineers the most?")
    assert reply.locator("figure.chart .bar").count() >= 5

    reply = _ask(page, "What does Meta look for? And how much do senior ML engineers make?")
    parts = reply.locator("section.part")
    assert parts.count() == 2
    assert parts.nth(0).locator("h2").inner_text() == "1. What does Meta look for?"
    assert "Meta — Hiring Process" in parts.nth(0).locator(".sources").inner_text()
    assert parts.nth(1).locator("figure.chart").count() == 1
    _screenshot(page, "web-chat.png")
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_on_a_phone(server: Server, browser: Any, scheme: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme=scheme,
    )
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        page.wait_for_selector(".suggestion")
        _ask(page, "What is Google's hiring process?")
        reply = _ask(page, "How much do entry level ML engineers make?")
        assert reply.locator("figure.chart").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
        _screenshot(page, f"web-chat-phone-{scheme}.png")
    finally:
        context.close()


def test_new_conversation_forgets_the_session(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector(".suggestion")
    _ask(page, "What is Google's hiring process?")
    old = page.evaluate("localStorage.getItem('careerbot.session')")
    assert server.get(f"/v1/sessions/{old}")[0] == 200
    page.click("#reset")
    page.wait_for_selector(".suggestion")
    assert page.evaluate("localStorage.getItem('careerbot.session')") != old
    assert page.locator("#log > li.user").count() == 0
    for _ in range(50):
        if server.get(f"/v1/sessions/{old}")[0] == 404:
            break
        page.wait_for_timeout(50)
    assert server.get(f"/v1/sessions/{old}")[0] == 404
