"""forum.markup.render: Markdown to sanitised HTML."""

import re

import pytest

from forum.markup import render


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold** and *soft*", "<p><strong>bold</strong> and <em>soft</em></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("# Big", "<h3>Big</h3>"),
    ],
)
def test_markdown_subset_renders(source: str, expected: str) -> None:
    assert render(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![img](http://evil.example/x.png)",
        "<svg onload=alert(1)>",
        "<iframe src=//evil.example>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<style>body{display:none}</style>",
    ],
)
def test_scripts_images_and_raw_html_never_reach_the_page(source: str) -> None:
    html = render(source)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<svg" not in lowered
    assert "<iframe" not in lowered
    assert "<style" not in lowered
    assert 'href="javascript' not in lowered
    assert 'href="data' not in lowered
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", lowered)


def test_links_get_nofollow_noopener_ugc() -> None:
    html = render("[site](https://example.org) and https://example.com")
    assert html.count('rel="nofollow noopener ugc"') == 2


def test_huge_input_is_bounded() -> None:
    html = render("a" * 500_000)
    assert len(html) < 200_000
