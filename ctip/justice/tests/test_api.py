"""The REST API follows the same rules as the pages."""

from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.evidence.services import item_create


def test_the_api_lists_and_shows_investigations_in_scope(cast, proceeding, outsider):
    inv = proceeding["inv"]
    client = verified_client(cast.b[Role.LEGAL_OFFICER])
    listing = client.get(reverse("api-investigations")).json()
    assert [r["reference"] for r in listing["results"]] == [inv.reference]
    assert "summary" not in listing["results"][0]
    detail = client.get(reverse("api-investigation", args=[inv.uuid])).json()
    assert detail["summary"] == "confidential summary"
    assert_refused(reverse("api-investigation", args=[inv.uuid]), outsider, expect=404)
    assert_refused(reverse("api-investigations"), [cast.a[Role.STATISTICS_OFFICER]], expect=403)
    assert_refused(reverse("api-investigations"), [None])


def test_the_api_creates_an_investigation_and_refuses_bad_input(cast):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    data = {
        "title": "API",
        "opened_on": "2025-01-01",
        "source": "report",
        "exploitation_form": "labour_fishing",
    }
    response = client.post(reverse("api-investigations"), data, content_type="application/json")
    assert response.status_code == 201 and response.json()["reference"].startswith("A-INV-")
    bad = client.post(
        reverse("api-investigations"),
        data | {"opened_on": "2999-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "opened_on" in bad.json()
    refused = verified_client(cast.a[Role.CASE_WORKER]).post(
        reverse("api-investigations"), data, content_type="application/json"
    )
    assert refused.status_code == 403


def test_counts_and_evidence_over_the_api(cast, proceeding, outsider):
    stats = verified_client(cast.a[Role.STATISTICS_OFFICER])
    counts = stats.get(reverse("api-justice-counts"), {"year": 2025}).json()
    assert counts["national"] and counts["victims_identified"]["total"] == 2
    assert stats.get(reverse("api-justice-counts"), {"year": "x"}).status_code == 400
    item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        kind="document",
        title="Doc",
        collected_on=proceeding["inv"].opened_on,
        upload=b"%PDF-1.4\n",
    )
    url = reverse("api-evidence", args=[proceeding["inv"].uuid])
    items = verified_client(cast.a[Role.INVESTIGATOR]).get(url).json()
    assert items[0]["title"] == "Doc" and len(items[0]["sha256"]) == 64
    assert_refused(url, outsider, expect=404)
    assert_refused(url, [cast.b[Role.CASE_WORKER]], expect=403)


def test_the_evidence_api_query_count_does_not_grow(
    cast, proceeding, django_assert_max_num_queries
):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("api-evidence", args=[proceeding["inv"].uuid])
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for n in range(5):
        item_create(
            actor=cast.a[Role.INVESTIGATOR],
            investigation=proceeding["inv"],
            kind="document",
            title=f"D{n}",
            collected_on=proceeding["inv"].opened_on,
            upload=b"%PDF-1.4\n",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_law_articles_over_the_api_show_confidence(cast, proceeding):
    rows = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("api-law-articles")).json()
    assert {r["confidence"] for r in rows} >= {"inferred", "secondary"}
