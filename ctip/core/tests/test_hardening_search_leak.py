"""Names and phone numbers never travel in URLs or logs (docs/security.md, "Searches").

A search submitted as a GET form puts what was typed into the URL: browser history, proxy and
access logs, Referer headers. Here a child with a canary name and a suspect with a canary phone
number are searched on every surface that takes a name or a number, the way a browser submits
each page's own form (its method, its action, its htmx attributes) and the way an API client
calls the documented endpoints; every URL requested or redirected to, every log record and
every audit event written on the way must be free of the canary, and the searches must still
find the canary (and only what matches), so the test cannot pass by breaking search.
"""

import json
import logging
import re
from datetime import date, timedelta
from urllib.parse import unquote_plus

import pytest
import time_machine
from django.core.signals import request_started
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.cases.services import case_open
from ctip.core import search
from ctip.core.testing import verified_client
from ctip.justice import services as justice
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Canaryname", "Zqxw"
PHONE = "0975550199"
CANARIES = (GIVEN, FAMILY, PHONE, PHONE[1:])
JSON = "application/json"


@pytest.fixture
def seeded(cast):
    """A child with the canary name, with a case; an investigation named after her; a suspect
    whose phone is the canary number; and a decoy that a working search leaves out."""
    worker, investigator = cast.a[Role.CASE_WORKER], cast.a[Role.INVESTIGATOR]
    child = person_create(actor=worker, given_name=GIVEN, family_name=FAMILY, estimated_age=14)
    decoy = person_create(actor=worker, given_name="Decoy", family_name="Plain", estimated_age=15)
    case = case_open(actor=worker, person=child)
    decoy_case = case_open(actor=worker, person=decoy)
    inv = justice.investigation_create(
        actor=investigator,
        title=f"Recruitment of {GIVEN} {FAMILY}",
        opened_on=date(2025, 3, 1),
        source="operation",
        exploitation_form="sex_karaoke",
    )
    decoy_inv = justice.investigation_create(
        actor=investigator,
        title="Decoy fishing boat",
        opened_on=date(2025, 4, 1),
        source="operation",
        exploitation_form="labour_fishing",
    )
    broker = person_create(actor=investigator, given_name="Broker", estimated_age=40)
    suspect = justice.suspect_add(
        actor=investigator, investigation=inv, person=broker, role="recruiter"
    )
    justice.identifier_add(actor=investigator, suspect=suspect, kind="phone", value=PHONE)
    justice.identifier_add(actor=investigator, suspect=suspect, kind="phone", value="011222333")
    return {
        "worker": verified_client(worker),
        "investigator": verified_client(investigator),
        "child": child,
        "decoy": decoy,
        "case": case,
        "decoy_case": decoy_case,
        "inv": inv,
        "decoy_inv": decoy_inv,
    }


class Watch:
    """Every URL requested (redirects followed included), every log record, every URL-like
    attribute or link in the answers."""

    def __init__(self):
        self.urls: list[str] = []
        self.records: list[logging.LogRecord] = []

    def on_request(self, sender, environ, **kwargs):
        self.urls.append(f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")

    def links(self, response) -> None:
        """Where the answer sends the browser next: Location, href/action/hx-* and the API's
        next/previous links."""
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        for header in ("HX-Push-Url", "HX-Location", "HX-Redirect"):
            if response.has_header(header):
                self.urls.append(response[header])
        body = response.content.decode()
        self.urls += re.findall(r'(?:href|action|src|hx-[a-z-]+)="([^"]*)"', body)
        self.urls += re.findall(r'"(?:next|previous)":"([^"]*)"', body)


class _Handler(logging.Handler):
    def __init__(self, records):
        super().__init__(level=logging.DEBUG)
        self.records = records

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def watch():
    watched = Watch()
    handler = _Handler(watched.records)
    loggers = [logging.getLogger(n) for n in ("", "django", "django.request", "django.server")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    request_started.connect(watched.on_request)
    try:
        yield watched
    finally:
        request_started.disconnect(watched.on_request)
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def _leaks(text: str) -> list[str]:
    plain = unquote_plus(text).lower()
    return [c for c in CANARIES if c.lower() in plain]


def _search_form(body: str, field: str) -> tuple[str, str, str, str]:
    """(method, action, live-search method, live-search URL) of the page's form holding `field`,
    as a browser reads them."""
    for attrs, inner in re.findall(r"<form\b([^>]*)>(.*?)</form>", body, re.S):
        if f'name="{field}"' not in inner:
            continue
        method = re.search(r'method="(\w+)"', attrs)
        action = re.search(r'action="([^"]*)"', attrs)
        field_tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', inner, re.S).group(0)
        live = re.search(r'hx-(get|post)="([^"]*)"', field_tag)
        return (
            (method.group(1) if method else "get").lower(),
            action.group(1) if action else "",
            live.group(1) if live else "",
            live.group(2) if live else "",
        )
    raise AssertionError(f"no form with a {field} field")


def _submit(client, watch, page_url: str, fields: dict, *, htmx: bool = False):
    """Submits the page's search form like a browser: by its method and action (or, for the
    live search, by the input's hx-get/hx-post); follows redirects like a browser does."""
    page = client.get(page_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    method, action, live_method, live_url = _search_form(page.content.decode(), next(iter(fields)))
    data = dict(fields)
    extra = {}
    if htmx:
        assert live_method, "the page has no live search"
        method, action, extra = live_method, live_url, {"HTTP_HX_REQUEST": "true"}
    if csrf and method == "post":
        data["csrfmiddlewaretoken"] = csrf.group(1)
    send = client.post if method == "post" else client.get
    response = send(action or page_url, data, follow=True, **extra)
    for hop, _status in response.redirect_chain:
        watch.urls.append(hop)
    watch.links(response)
    assert response.status_code == 200
    return response.content.decode()


def _api_search(client, watch, url: str, body: dict) -> dict:
    response = client.post(url, body, content_type=JSON)
    watch.links(response)
    assert response.status_code == 200, response.content
    return response.json()


def _assert_clean(watch: Watch, since: int) -> None:
    assert len(watch.urls) > 20  # the watch saw the traffic
    leaked = [url for url in watch.urls if _leaks(url)]
    assert not leaked, f"search terms in URLs: {leaked}"
    logged = [r for r in watch.records if _leaks(f"{r.getMessage()} {r.__dict__!r}")]
    assert not logged, f"search terms in log records: {[r.getMessage() for r in logged]}"
    for event in AuditEvent.objects.filter(seq__gt=since):
        row = f"{event.action} {event.target_type} {event.target_id} {event.changes} {event.reason}"
        assert not _leaks(row), f"search terms in audit event {event.seq}: {row}"


def test_searches_find_the_child_without_her_name_or_a_phone_in_any_url_log_or_audit(seeded, watch):
    worker, investigator = seeded["worker"], seeded["investigator"]
    child, decoy = seeded["child"], seeded["decoy"]
    since = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    # Pages: the form as submitted, and the live search as htmx sends it.
    for htmx in (False, True):
        people = _submit(worker, watch, reverse("people:list"), {"q": GIVEN}, htmx=htmx)
        assert str(child.uuid) in people and str(decoy.uuid) not in people
        cases = _submit(worker, watch, reverse("cases:list"), {"q": FAMILY}, htmx=htmx)
        assert seeded["case"].number in cases and seeded["decoy_case"].number not in cases
    invs = _submit(investigator, watch, reverse("justice:list"), {"q": GIVEN})
    assert seeded["inv"].reference in invs and seeded["decoy_inv"].reference not in invs
    ids = _submit(
        investigator, watch, reverse("justice:identifier_search"), {"value": PHONE, "kind": "phone"}
    )
    assert "097555019" in ids and "011222333" not in ids

    _assert_clean(watch, since)

    # API: the documented search endpoints, terms in the body.
    found = _api_search(worker, watch, reverse("api-people-search"), {"q": GIVEN})
    assert [p["uuid"] for p in found["results"]] == [str(child.uuid)]
    found = _api_search(worker, watch, reverse("api-cases-search"), {"q": FAMILY})
    assert [c["uuid"] for c in found["results"]] == [str(seeded["case"].uuid)]
    found = _api_search(investigator, watch, reverse("api-investigations-search"), {"q": GIVEN})
    assert [i["uuid"] for i in found["results"]] == [str(seeded["inv"].uuid)]

    _assert_clean(watch, since)


@pytest.mark.parametrize(
    ("list_name", "search_name", "role"),
    [
        ("api-people", "api-people-search", Role.CASE_WORKER),
        ("api-cases", "api-cases-search", Role.CASE_WORKER),
        ("api-investigations", "api-investigations-search", Role.INVESTIGATOR),
    ],
)
def test_an_api_list_given_terms_in_its_url_refuses_and_points_to_the_search(
    cast, list_name, search_name, role
):
    client = verified_client(cast.a[role])
    refused = client.get(reverse(list_name), {"q": "anyone"})
    assert refused.status_code == 400
    assert reverse(search_name) in refused.json()["q"][0]
    assert client.get(reverse(list_name)).status_code == 200  # without terms, the list


def test_a_search_id_pages_on_but_only_for_its_user_its_page_and_half_an_hour(cast):
    worker = cast.a[Role.CASE_WORKER]
    for i in range(51):  # two pages of 50
        person_create(actor=worker, given_name=f"{GIVEN}{i:02}", estimated_age=10)
    person_create(actor=worker, given_name="Decoy", estimated_age=10)
    client = verified_client(worker)
    url = client.post(reverse("people:list"), {"q": GIVEN})["Location"]
    assert re.fullmatch(r"/people/\?s=[\w-]{16}", url), url
    first = client.get(url).content.decode()
    assert "Decoy" not in first and f"{GIVEN}00" in first and f"{GIVEN}50" not in first
    assert "Page 1 of 2" in first and f'value="{GIVEN}"' in first
    # The pager carries the id, never the name; page 2 is the rest of the same search.
    next_link = re.search(r'href="(\?[^"]*page=2)"', first).group(1).replace("&amp;", "&")
    assert GIVEN not in next_link
    second = client.get(reverse("people:list") + next_link).content.decode()
    assert f"{GIVEN}50" in second and "Decoy" not in second

    # Another user given the id (a shared link) learns nothing: the search is not theirs.
    colleague = verified_client(cast.a[Role.CASE_SUPERVISOR])
    shared = colleague.get(url).content.decode()
    assert "That search has expired" in shared and f'value="{GIVEN}"' not in shared
    # Nor does the id stand for a search on another page.
    other_page = client.get(reverse("cases:list") + url[len("/people/") :])
    assert "That search has expired" in other_page.content.decode()
    # Half an hour after its last use it is gone, though the user stayed signed in meanwhile.
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=search.LIFETIME * 2 / 3)):
        assert "That search has expired" not in client.get(reverse("people:list")).content.decode()
    with time_machine.travel(start + timedelta(seconds=search.LIFETIME * 4 / 3)):
        late = client.get(url)
    assert late.status_code == 200
    assert "That search has expired" in late.content.decode()
    assert f'value="{GIVEN}"' not in late.content.decode()


def test_an_empty_search_clears_and_filters_stay_in_the_query_string(cast):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    assert client.post(reverse("people:list"), {"q": "  "})["Location"] == "/people/"
    cleared = client.post(reverse("cases:list"), {"q": "", "status": "open", "mine": "1"})
    assert cleared["Location"] == "/cases/?status=open&mine=1"
    kept = client.post(reverse("cases:list"), {"q": "Sok", "status": "bogus"})["Location"]
    assert re.fullmatch(r"/cases/\?s=[\w-]+", kept), kept


def test_the_schema_documents_the_search_endpoints_and_no_q_on_the_lists(cast):
    schema = (
        verified_client(cast.a[Role.INVESTIGATOR])
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    for path in ("/api/v1/people/", "/api/v1/cases/", "/api/v1/investigations/"):
        names = {p.get("name") for p in schema["paths"][path]["get"].get("parameters", [])}
        assert "q" not in names, path
        search_op = schema["paths"][path + "search/"]["post"]
        body = search_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert "q" in schema["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
        listed = search_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert listed.rsplit("/", 1)[1].startswith("Paginated"), listed


@pytest.mark.parametrize("page", ["people:list", "cases:list"])
def test_htmx_keeps_no_copy_of_a_page_and_back_gets_the_whole_page(cast, page):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = client.post(reverse(page), {"q": "Sok"})["Location"]
    # "Back" to a live-search result: htmx asks the server again (no localStorage copy).
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    body = restored.content.decode()
    assert body.startswith("<!doctype html>") and 'value="Sok"' in body
    config = re.search(r"name=\"htmx-config\" content='([^']*)'", body).group(1)
    assert json.loads(config)["historyCacheSize"] == 0
    # A live search itself still gets the table alone.
    live = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<table>" in live and "<!doctype html>" not in live


@pytest.mark.parametrize(
    ("view", "field", "role"),
    [
        ("ctip.people.views.person_list", "q", Role.CASE_WORKER),
        ("ctip.cases.views.case_list", "q", Role.CASE_WORKER),
        ("ctip.justice.views.investigation_list", "q", Role.INVESTIGATOR),
        ("ctip.justice.views.identifier_search", "value", Role.INVESTIGATOR),
    ],
)
def test_an_error_report_of_a_search_masks_what_was_typed(cast, view, field, role):
    """A crash report (mail to ADMINS, the DEBUG page) lists the POST: not the search terms."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django.utils.module_loading import import_string
    from django.views.debug import SafeExceptionReporterFilter

    request = RequestFactory().post("/", {field: PHONE})
    request.user, request.session = cast.a[role], SessionStore()
    assert import_string(view)(request).status_code == 302
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown[field] != PHONE and set(shown[field]) == {"*"}
