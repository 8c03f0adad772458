"""Headless Chromium for the page tests: Debian's chromium (.ci/run installs it), driven by playwright
without playwright's own browser downloads."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# no sandbox as root in CI; nothing the browser would fetch by itself, so every request is the page's own
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")


_running: dict = {}


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: each test module that imports this fixture gets its own
    copy of it, and playwright's sync API cannot start twice in one thread."""
    if not _running:
        from playwright.sync_api import sync_playwright

        _running["playwright"] = sync_playwright().start()
        _running["browser"] = _running["playwright"].chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield _running["browser"]
    if _running:
        _running.pop("browser").close()
        _running.pop("playwright").stop()


@dataclass
class OpenedPage:
    page: object
    errors: List[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: List[str] = field(default_factory=list)


def open_page(browser, path: Path) -> OpenedPage:
    """The page at `path` opened from disk, with its console errors and requests recorded from the start."""
    page = browser.new_page(viewport=VIEWPORT)
    opened = OpenedPage(page)
    page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return opened


def in_viewport(box) -> bool:
    # within a pixel: an anchor jump may leave its target a fraction of a pixel above the top
    return box is not None and box["y"] > -1 and box["y"] + box["height"] < VIEWPORT["height"] + 1
