"""Browser tests: a real daphne server and Debian's chromium driven by Playwright."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.servers import Server, sqlite_site, start_daphne
from tests.conftest import chromium_or_skip

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PASSWORD = "demo-password-123"


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One daphne process on a fresh SQLite site with the demo data (Redis when REDIS_URL is set)."""
    chromium_or_skip()
    directory = tmp_path_factory.mktemp("e2e-site")
    env = sqlite_site(
        directory, demo_password=DEMO_PASSWORD, redis_url=os.environ.get("REDIS_URL", "")
    )
    server = start_daphne(env, directory)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(artefacts: Path, request: pytest.FixtureRequest) -> Path:
    folder = artefacts / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
