"""The Content-Security-Policy: a strict policy on every page, and templates that keep to it.

Scripts and styles come only from this server's static files: no inline <script>, no on*=
handlers, no javascript: URLs, no style= attributes, no eval (htmx's hx-on, js: values). The
browser test ctip/core/tests/test_browser_csp.py checks the same pages in Chromium.
"""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client

CTIP = Path(__file__).resolve().parents[2]

# (role of organisation A's user, page) for the main pages; None: signed out.
PAGES = [
    (None, "accounts:login"),
    (None, "intake:tip"),
    (Role.CASE_WORKER, "core:home"),
    (Role.CASE_WORKER, "people:list"),
    (Role.CASE_WORKER, "cases:list"),
    (Role.CASE_WORKER, "cases:dashboard"),
    (Role.CASE_WORKER, "referrals:list"),
    (Role.CASE_WORKER, "matching:queue"),
    (Role.HOTLINE_OPERATOR, "intake:queue"),
    (Role.HOTLINE_OPERATOR, "intake:console"),
    (Role.INVESTIGATOR, "operations:list"),
    (Role.INVESTIGATOR, "justice:list"),
    (Role.INVESTIGATOR, "justice:counts"),
    (Role.INVESTIGATOR, "networks:home"),
    (Role.SHELTER_MANAGER, "shelters:board"),
    (Role.PREVENTION_OFFICER, "prevention:home"),
    (Role.STATISTICS_OFFICER, "statistics:dashboard"),
    (Role.SYSTEM_ADMIN, "audit:list"),
]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    policy = directives(header)
    assert policy["script-src"] == ["'self'"], header
    assert policy["style-src"] == ["'self'"], header
    assert policy["default-src"] == ["'self'"], header
    assert policy["img-src"] == ["'self'", "data:"], header
    assert policy["connect-src"] == ["'self'"], header
    assert policy["form-action"] == ["'self'"], header
    for name in ("object-src", "base-uri", "frame-ancestors"):
        assert policy[name] == ["'none'"], header
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, header


# What a page under the policy must not contain (rendered HTML or a template).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
EVAL_HTMX = re.compile(r"\b(?:data-)?hx-(?:on\b|on:|on-|vars\b)|hx-vals=['\"]\s*(?:js|javascript):")
JS_URL = re.compile(r"javascript:", re.I)
STYLE = re.compile(r"\sstyle\s*=|<style\b", re.I)


def offences(html: str, *, styles: bool = True) -> list[str]:
    patterns = [INLINE_SCRIPT, HANDLER, EVAL_HTMX, JS_URL] + ([STYLE] if styles else [])
    return [m.group(0) for p in patterns for m in p.finditer(html)]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url_name"), PAGES, ids=[p[1] for p in PAGES])
def test_each_main_page_sends_the_strict_policy_and_keeps_to_it(cast, role, url_name):
    client = Client() if role is None else verified_client(cast.a[role])
    response = client.get(reverse(url_name))
    assert response.status_code == 200, (url_name, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert_strict(response)
    assert offences(response.content.decode()) == [], url_name


@pytest.mark.django_db
def test_htmx_partials_and_refusals_carry_the_policy_too(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    partial = client.get(reverse("people:list"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert_strict(partial)
    refused = client.get(reverse("statistics:dashboard"))
    assert refused.status_code in (403, 404)
    assert_strict(refused)


@pytest.mark.django_db
def test_the_page_shell_keeps_htmx_from_inline_styles_and_eval(cast):
    body = verified_client(cast.a[Role.CASE_WORKER]).get(reverse("core:home")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", body)
    assert config, "base.html must configure htmx"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    assert re.search(r"<script src=\"/static/ctip/ctip\.js\"", body)


@pytest.mark.django_db
def test_the_api_docs_need_no_exception_to_the_policy(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict(page)
    body = page.content.decode()
    assert offences(body) == []
    script_url = re.search(r"<script src=\"(/api/docs/\?[^\"]*script[^\"]*)\"", body)
    assert script_url, "Swagger UI's start-up script must come from a URL, not inline"
    script = client.get(script_url.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def _templates() -> list[Path]:
    return sorted(p for p in CTIP.glob("*/templates/**/*.html"))


def _is_pdf(path: Path, text: str) -> bool:
    """PDF templates are rendered by WeasyPrint on the server, never by a browser."""
    return path.name == "pdf_base.html" or '{% extends "core/pdf_base.html" %}' in text


def test_no_template_has_inline_script_handlers_or_style_attributes():
    templates = _templates()
    assert len(templates) > 100
    found = {}
    for path in templates:
        text = path.read_text(encoding="utf-8")
        bad = offences(text, styles=not _is_pdf(path, text))
        if bad:
            found[str(path.relative_to(CTIP))] = bad
    assert found == {}


def test_the_scan_recognises_what_the_policy_forbids():
    for html in (
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        '<select onchange="this.form.submit()">',
        '<button hx-on:click="x()">',
        '<div hx-on::after-request="x()">',
        "<div hx-vals='js:{a: 1}'>",
        '<a href="javascript:void(0)">',
        '<span style="color: red">',
        "<style>p { color: red }</style>",
    ):
        assert offences(html), html
    for html in (
        '<script src="/static/ctip/ctip.js" defer></script>',
        '<script id="x" type="application/json">{"a": 1}</script>',
        '<select data-autosubmit name="year">',
        '<div hx-get="/x" hx-trigger="load">',
        '<p class="online">',
    ):
        assert offences(html) == [], html
