from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organizer.campaigns.markdown import render_markdown

BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.IGNORECASE)


class Elements(HTMLParser):
    """The tags and attributes a browser would see, values unescaped."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html):
    for tag, attrs in Elements(html).found:
        assert tag not in ("script", "img", "iframe", "svg", "div", "details", "style", "object")
        assert not [name for name in attrs if name.lower().startswith("on")], (tag, attrs)
        assert "style" not in attrs
        for name in ("href", "src"):
            value = re.sub(r"[\x00-\x20]", "", attrs.get(name) or "")
            assert not BAD_SCHEME.match(value), (tag, attrs)


PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<img src=x onerror="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=https://evil.example></iframe>",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    "<svg/onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_rendered_inert(payload):
    html = str(render_markdown(payload))
    assert "<script" not in html.lower()
    assert_inert(html)


def test_raw_html_is_shown_as_text_not_markup():
    html = str(render_markdown("Ban <b>dark</b> patterns <script>x()</script>"))
    assert "&lt;b&gt;dark&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_ordinary_markdown_survives_with_safe_links():
    html = str(
        render_markdown("**Stop** *now*: see [the law](https://eur-lex.europa.eu/).\n\n- a\n- b")
    )
    assert "<strong>Stop</strong>" in html
    assert "<em>now</em>" in html
    assert 'href="https://eur-lex.europa.eu/"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "<ul>" in html


def test_images_are_dropped_so_no_other_host_is_contacted():
    html = str(render_markdown("![tracker](https://evil.example/pixel.png)"))
    assert "evil.example" not in html


@given(st.text(alphabet=st.sampled_from(list("<>\"'=:/ascriptjavonerrdat()[]!&#;x ")), max_size=60))
def test_no_input_produces_executable_markup(source):
    html = str(render_markdown(source))
    assert "<script" not in html.lower()
    assert_inert(html)
