"""HTCDS 2.0 export: the standard's names, own organisation only, consent required, audited."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.shared_data import shared_data_dir
from ctip.core.testing import assert_refused, verified_client
from ctip.exchange import htcds_rows
from ctip.exchange.htcds import MAPPING, NOT_FILLED, canonical_column, htcds_export

# The standard as published (beside the repository), else the identical copy the importer reads.
STANDARD = shared_data_dir() / "htcds" / "field_standards_2.0.csv"
if not STANDARD.exists():
    STANDARD = htcds_rows.STANDARD_FILE


def _standard_fields() -> set[str]:
    with STANDARD.open(encoding="utf-8") as f:
        return {r["Field Name including Prefix"] for r in csv.DictReader(f)} - {""}


def _case(cast, org_key, number, *, consent, withdrawn=False, name="Sokha"):
    from ctip.cases.models import Case, Consent
    from ctip.people.models import Person

    org = cast.org_a if org_key == "a" else cast.org_b
    users = cast.a if org_key == "a" else cast.b
    person = Person.objects.create(
        organisation=org,
        given_name=name,
        family_name="Chan",
        sex="f",
        date_of_birth=date(2010, 1, 2),
    )
    case = Case.objects.create(
        organisation=org,
        number=number,
        person=person,
        opened_on=date(2025, 1, 5),
        case_worker=users[Role.CASE_WORKER],
        trafficking_status="ActualVictimOfTrafficking",
        exploitation_types=["SexualExploitation", "ForcedLabour"],
        recruiter_relation="",
        abuse_narrative="never exported",
    )
    if consent:
        Consent.objects.create(
            case=case,
            purpose=consent,
            given_by="both",
            given_on=date(2025, 1, 5),
            method="written",
            withdrawn_on=date(2025, 2, 1) if withdrawn else None,
        )
    return case


@pytest.fixture
def cases(cast):
    return [
        _case(cast, "a", "A-1", consent="sharing", name="Sokha"),
        _case(cast, "a", "A-2", consent="statistics", name="Nodata"),
        _case(cast, "a", "A-3", consent="sharing", withdrawn=True, name="Withdrawn"),
        _case(cast, "b", "B-1", consent="sharing", name="Otherorg"),
    ]


@pytest.mark.skipif(not STANDARD.exists(), reason="the HTCDS field standard is not available")
def test_every_exported_and_unfilled_field_is_an_htcds_field():
    fields = _standard_fields()
    for f in MAPPING:
        assert f.htcds in fields, f.htcds
    for name in NOT_FILLED:
        assert name in fields, name
    assert not {f.htcds for f in MAPPING} & set(NOT_FILLED)


def test_the_toolkits_variant_spellings_are_read_as_the_standard():
    assert canonical_column("prs_First_Name") == "prs_FirstName"
    assert canonical_column(" vic_TraffickinStatusDecisionMakingOrg ") == (
        "vic_TraffickingStatusDecisionMakingOrg"
    )
    assert canonical_column("prs_Gender") == "prs_Gender"


def test_only_own_cases_with_a_sharing_consent_are_exported(cases, cast):
    export = htcds_export(user=cast.a[Role.CASE_SUPERVISOR])
    names = [row["prs_FirstName"] for row in export.rows]
    assert names == ["Sokha"]
    row = export.rows[0]
    assert row["prs_Gender"] == "Feminine"
    assert row["vic_TypeOfExploitation"] == "ForcedLabour;SexualExploitation"
    assert row["cas_Status"] == "Active"
    assert "never exported" not in json.dumps(export.rows)


def test_the_downloads_are_csv_and_json_and_audited(cases, cast):
    client = verified_client(cast.a[Role.CASE_SUPERVISOR])
    text = client.get(reverse("exchange:htcds_download", args=["csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["prs_FirstName"] for r in rows] == ["Sokha"]
    data = json.loads(client.get(reverse("exchange:htcds_download", args=["json"])).content)
    assert data["standard"] == "HTCDS 2.0" and len(data["records"]) == 1
    events = AuditEvent.objects.filter(action=AuditAction.HTCDS_EXPORTED)
    assert sorted(e.changes["format"] for e in events) == ["csv", "json"]
    page = client.get(reverse("exchange:htcds"))
    assert page.status_code == 200 and b"prs_MailingStreet" in page.content


def test_roles_without_the_export_permission_are_refused(cast):
    others = [u for u in cast.everyone() if Role.CASE_SUPERVISOR not in u.roles]
    for url in (reverse("exchange:htcds"), reverse("exchange:htcds_download", args=["csv"])):
        assert_refused(url, others, expect=403)
        assert_refused(url, [None])
