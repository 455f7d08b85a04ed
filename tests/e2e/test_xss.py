"""The XSS corpus rendered in Chromium: no dialog, no script, no outside request.

A site of its own (daphne on a fresh SQLite file) is seeded by tests/security/xss_seed.py
with every payload of tests/security/xss_payloads.txt as topic titles, posts, chat messages
(read back through the room's catch-up), room names, community names and descriptions, and
moderation queue items. Each page holds many payloads, so a few dozen page loads cover them.

The pages are opened with the page's Content Security Policy bypassed, so that the escaping
and the sanitiser are tested on their own: CSP would otherwise block an injected handler
silently. A second, smaller pass keeps CSP on and fails on any CSP violation it reports.
On every page:
- a `dialog` (alert, confirm, prompt) fails the test, and so does `window.__xss`;
- every request must go to 127.0.0.1 (routed: anything else is aborted and reported);
- console errors and uncaught page errors fail the test;
- the DOM is scanned: no `on*` attribute, no script but the site's own static modules, no
  `javascript:`/`data:`/`vbscript:` URL, no resource from another host, and nothing but the
  markup allow-list inside rendered member text;
- template injection does not evaluate (`{{7*191919}}` never becomes 1343433).
"""

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from bench.servers import PYTHON, ROOT, Server, sqlite_site, start_daphne
from forum.markup import ALLOWED_TAGS
from tests.conftest import chromium_or_skip
from tests.e2e.conftest import DEMO_PASSWORD
from tests.security.counts import count_record
from tests.security.payloads import xss_payloads

pytestmark = pytest.mark.e2e

LOCAL_HOST = "127.0.0.1"
TEMPLATE_PRODUCT = str(7 * 191919)
# Reflected payloads (the search box echoes `q`): one page load each, so a sample.
REFLECTED_EVERY = 8

DOM_SCAN = """
(allowed) => {
  const problems = [];
  const allowedTags = new Set(allowed);
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "poster",
    "background", "ping", "srcset", "srcdoc", "codebase", "dynsrc", "lowsrc"];
  const loadingAttributes = new Set(["src", "data", "poster", "background", "srcset",
    "action", "formaction", "codebase", "dynsrc", "lowsrc", "ping"]);
  const describe = (el) => `<${el.localName}${el.id ? "#" + el.id : ""}>`;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`${describe(el)} has handler ${name}`);
      if (!urlAttributes.includes(name)) continue;
      if (name === "srcdoc") { problems.push(`${describe(el)} has srcdoc`); continue; }
      const squeezed = attr.value.replace(/[\\u0000-\\u0020\\u007f-\\u00a0\\u00ad\\u200b-\\u200f\\u2028-\\u202e\\ufeff]/g, "").toLowerCase();
      if (/^(javascript|vbscript|data|livescript|mocha):/.test(squeezed)) {
        problems.push(`${describe(el)} ${name}=${attr.value.slice(0, 80)}`);
      }
      if (loadingAttributes.has(name)) {
        try {
          const host = new URL(attr.value, location.href).hostname;
          if (host && host !== location.hostname) problems.push(`${describe(el)} loads ${attr.value.slice(0, 80)}`);
        } catch (error) { /* not a URL: nothing is loaded */ }
      }
    }
    if (el.localName === "script") {
      const src = el.getAttribute("src") || "";
      const url = src ? new URL(src, location.href) : null;
      if (!url || url.host !== location.host || !url.pathname.startsWith("/static/")) {
        problems.push(`script ${src || "(inline) " + el.textContent.slice(0, 60)}`);
      }
    }
    if (["iframe", "object", "embed", "base", "frame", "frameset", "applet"].includes(el.localName)) {
      problems.push(`${describe(el)} element`);
    }
    if (el.localName === "meta" && (el.getAttribute("http-equiv") || "").toLowerCase() === "refresh") {
      problems.push("meta refresh");
    }
  }
  for (const body of document.querySelectorAll(".post-body, .chat-body")) {
    for (const el of body.querySelectorAll("*")) {
      if (!allowedTags.has(el.localName)) problems.push(`${el.localName} inside member text`);
    }
  }
  for (const marked of document.querySelectorAll(".highlighted")) {
    for (const el of marked.querySelectorAll("*")) {
      if (el.localName !== "mark") problems.push(`${el.localName} inside highlighted text`);
    }
  }
  return problems;
}
"""


@dataclass
class Watch:
    """Everything suspicious one browser context did, by page URL."""

    base: str
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def attach(self, context: Any) -> None:
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("page", self._page)

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            self.problems.append(f"request to {route.request.url}")
            route.abort()

    def _request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname != LOCAL_HOST:
            self.problems.append(f"request to {request.url}")

    def _page(self, page: Any) -> None:
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: page error {error}"))
        page.on("websocket", self._websocket)

    def _dialog(self, page: Any, dialog: Any) -> None:
        self.problems.append(f"{page.url}: {dialog.type} dialog {dialog.message!r}")
        dialog.dismiss()

    def _console(self, page: Any, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"{page.url}: console error {message.text[:300]}")

    def _websocket(self, socket: Any) -> None:
        if urlsplit(socket.url).hostname != LOCAL_HOST:
            self.problems.append(f"websocket to {socket.url}")


@dataclass
class XssSite:
    server: Server
    seeded: dict[str, Any]


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XssSite]:
    chromium_or_skip()
    directory = tmp_path_factory.mktemp("xss-site")
    env = sqlite_site(directory, demo_password=DEMO_PASSWORD)
    result = subprocess.run(
        [PYTHON, "-m", "tests.security.xss_seed"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seeded = json.loads(result.stdout.strip().splitlines()[-1])
    server = start_daphne(env, directory)
    yield XssSite(server=server, seeded=seeded)
    server.stop()


def _log_in(page: Any, site: XssSite, username: str) -> None:
    page.goto(f"{site.server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.server.url}/")


def _check(page: Any, watch: Watch, path: str, *, ready: str | None = None) -> None:
    """Open `path`, wait for `ready` (a JS expression) if given, and scan the page."""
    response = page.goto(f"{watch.base}{path}")
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    if ready:
        page.wait_for_function(ready, timeout=15000)
    _scan(page, watch, path)


def _scan(page: Any, watch: Watch, label: str) -> None:
    """Record the sentinel, the DOM's unsafe parts and evaluated templates of the open page."""
    watch.pages += 1
    if page.evaluate("() => window.__xss") is not None:
        watch.problems.append(f"{label}: window.__xss was set")
    for problem in page.evaluate(DOM_SCAN, sorted(ALLOWED_TAGS)):
        watch.problems.append(f"{label}: {problem}")
    if TEMPLATE_PRODUCT in page.content():
        watch.problems.append(f"{label}: template injection evaluated ({TEMPLATE_PRODUCT})")


def _open(
    browser: Any, site: XssSite, watch: Watch, username: str | None, *, bypass_csp: bool
) -> tuple[Any, Any]:
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1000, "height": 900})
    watch.attach(context)
    page = context.new_page()
    if username:
        _log_in(page, site, username)
    return context, page


def _member_paths(seeded: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(path, readiness check) for every page a member reads the payloads on."""
    paths: list[tuple[str, str | None]] = [("/", None), ("/me/", None)]
    paths += [(f"/c/xss/?page={n}", None) for n in range(1, seeded["topic_pages"] + 1)]
    paths += [(f"/c/xss/t/{pk}/", None) for pk in seeded["batch_topics"]]
    # Title topics: every tenth in full (h1, <title>, breadcrumbs); all appear in the lists.
    paths += [(f"/c/xss/t/{pk}/", None) for pk in seeded["title_topics"][::10]]
    paths += [("/c/xss/waiting/", None), ("/c/xss/chat/", None), ("/notifications/", None)]
    for word in ("alert", "script", "javascript", "svg", "onerror", "href"):
        paths += [(f"/search/?q={word}", None), (f"/c/xss/search/?q={word}", None)]
    for room in seeded["rooms"]:
        ready = (
            "() => document.querySelectorAll('#chat-log .chat-message[data-id]').length"
            f" >= {room['messages']}"
        )
        paths.append((f"/c/xss/chat/{room['slug']}/", ready))
    paths += [(f"/c/x{n}/", None) for n in range(0, seeded["payloads"], 25)]
    return paths


def test_stored_payloads_never_run_script_or_load_anything_from_outside(
    xss_site: XssSite, browser: Any
) -> None:
    seeded = xss_site.seeded
    assert seeded["visible_posts"] == seeded["posts"], "some payload posts were held back"
    payloads = xss_payloads()
    watch = Watch(base=xss_site.server.url)

    context, page = _open(browser, xss_site, watch, "river", bypass_csp=True)
    for path, ready in _member_paths(seeded):
        _check(page, watch, path, ready=ready)
    # Not vacuous: the payloads are on the pages, as text.
    page.goto(f"{xss_site.server.url}/c/xss/t/{seeded['batch_topics'][0]}/")
    assert page.locator(".post-body").count() == 30
    page.goto(f"{xss_site.server.url}/")
    assert page.locator(".card-title").count() >= seeded["payloads"]
    assert page.get_by_text("<script>alert(1)</script>", exact=True).count() >= 1
    for number, payload in enumerate(payloads[::REFLECTED_EVERY]):
        target = "/search/" if number % 2 else "/c/xss/search/"
        _check(page, watch, f"{target}?q={quote(payload)}")
    context.close()

    context, page = _open(browser, xss_site, watch, "mod", bypass_csp=True)
    moderator_paths = ["/mod/", "/c/xss/mod/"]
    moderator_paths += [f"/mod/item/{pk}/" for pk in seeded["queue_items"]]
    for path in moderator_paths:
        _check(page, watch, path)
    assert seeded["queue_items"], "the crisis payloads opened no queue item"
    context.close()

    context, page = _open(browser, xss_site, watch, None, bypass_csp=True)
    for path in ["/", "/c/xss/", f"/c/xss/t/{seeded['batch_topics'][-1]}/", "/c/xss/search/?q=svg"]:
        _check(page, watch, path)
    context.close()

    # With the real CSP: nothing injected may even be attempted (CSP reports it as an error).
    context, page = _open(browser, xss_site, watch, "river", bypass_csp=False)
    for path in ["/", f"/c/xss/t/{seeded['batch_topics'][0]}/", "/c/xss/chat/r0/"]:
        _check(page, watch, path)
    context.close()

    count_record("xss payloads tried", len(payloads))
    count_record("xss pages checked in chromium", watch.pages)
    assert not watch.problems, "\n".join(watch.problems[:50])


def test_the_checks_catch_a_planted_payload(browser: Any) -> None:
    """The harness itself: a page that does run script and load from outside is caught."""
    watch = Watch(base="http://127.0.0.1")
    context = browser.new_context()
    watch.attach(context)
    page = context.new_page()
    page.set_content(
        '<div class="post-body"><img src="https://evil.example/p.png" onerror="alert(1)">'
        '<a href="jav&#x09;ascript:alert(1)">x</a></div><p>{{7*191919}} 1343433</p>'
        "<script>window.__xss = 1</script>"
    )
    page.wait_for_timeout(300)
    _scan(page, watch, "planted")
    context.close()
    found = "\n".join(watch.problems)
    for expected in (
        "request to https://evil.example/p.png",
        "alert dialog",
        "window.__xss was set",
        "has handler onerror",
        "<a> href=jav",
        "loads https://evil.example/p.png",
        "img inside member text",
        "script (inline)",
        "template injection evaluated",
    ):
        assert expected in found, f"{expected!r} not caught:\n{found}"
