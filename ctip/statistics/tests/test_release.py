"""Anonymised releases: k-anonymity enforced, consent respected, nothing identifying, verified."""

import random
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.statistics.release import (
    QUASI_IDENTIFIERS,
    anonymise,
    has_direct_identifiers,
    verify_k_anonymous,
)

from .conftest import YEAR, make_person


def synthetic(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    provinces = ["01", "02", "12", "17", "18", "21"]
    bands = ["0-11", "12-14", "15-17", "18-24", "25-59", "60+"]
    return [
        {
            "sex": rng.choice("fm"),
            "age": rng.choice(bands),
            "region": rng.choice(provinces),
            "year": str(rng.choice([2019, 2020, 2021, 2022, 2023, 2024])),
            "exploitation_types": rng.choice(["SexualExploitation", "ForcedLabour"]),
        }
        for _ in range(n)
    ]


@pytest.mark.parametrize("k", [2, 5, 10])
def test_a_release_is_k_anonymous_and_reports_what_it_gave_up(k):
    records = synthetic(400)
    release = anonymise(records, k=k)
    assert verify_k_anonymous(release.to_csv(), k=k).ok
    assert release.smallest_class >= k
    assert release.considered == 400
    assert release.suppressed == 400 - len(release.rows)
    assert release.suppressed <= 400 * 0.05
    assert set(release.information_loss) == set(QUASI_IDENTIFIERS)
    assert all(0 <= v <= 1 for v in release.information_loss.values())


def test_a_bigger_k_generalises_at_least_as_much():
    records = synthetic(400)
    small, big = anonymise(records, k=2), anonymise(records, k=20)
    assert sum(big.information_loss.values()) >= sum(small.information_loss.values())


def test_generalisation_bands_ages_regions_and_years():
    records = [
        {"sex": "f", "age": "12-14", "region": "17", "year": "2025", "x": "a"},
        {"sex": "f", "age": "15-17", "region": "01", "year": "2023", "x": "b"},
    ]
    release = anonymise(records, k=2, max_suppression=0)
    row = release.rows[0]
    assert row["age"] == "0-17"
    assert row["region"] == "tonle_sap"
    assert row["year"] in ("2022-2027", "*")  # banded until both share it
    assert len(release.rows) == 2


def test_the_verifier_finds_small_groups():
    text = "sex,age,region,year\nf,0-17,12,2025\nf,0-17,12,2025\nm,18+,17,2025\n"
    result = verify_k_anonymous(text, k=2)
    assert not result.ok and result.smallest_class == 1
    assert result.violations == [(("m", "18+", "17", "2025"), 1)]
    with pytest.raises(ValueError):
        verify_k_anonymous("a,b\n1,2\n", k=2)


def test_the_verify_command_passes_good_files_and_fails_bad_ones(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(anonymise(synthetic(300), k=5).to_csv(), encoding="utf-8")
    call_command("verify_release", str(good), k=5)
    bad = tmp_path / "bad.csv"
    bad.write_text("sex,age,region,year\nf,0-11,12,2025\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_release", str(bad), k=5)


@pytest.fixture
def consented_cases(world):
    from ctip.cases.models import Case, Consent

    cast = world.cast
    made = []
    for i in range(14):
        person = make_person(world, sex="f", age=15, village="12")
        person.given_name = f"Channary{i}"
        person.save()
        case = Case.objects.create(
            organisation=cast.org_a,
            number=f"REL-{i:03d}",
            person=person,
            opened_on=date(YEAR, 2, 1),
            case_worker=cast.a[Role.CASE_WORKER],
            exploitation_types=["SexualExploitation"],
        )
        case.destination_countries.set([world.countries["TH"]])
        if i < 12:  # two survivors gave no consent to statistics
            Consent.objects.create(
                case=case,
                purpose="statistics",
                given_by="child",
                given_on=date(YEAR, 2, 1),
                method="written",
                withdrawn_on=date(YEAR, 3, 1) if i == 0 else None,  # and one withdrew it
            )
        made.append(case)
    return made


def test_the_release_page_and_download_carry_only_consented_anonymous_rows(
    consented_cases, statistician
):
    client = verified_client(statistician)
    url = reverse("statistics:release") + "?k=5"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="release-rows">11<' in html
    assert "Channary" not in html and "REL-" not in html
    response = client.post(reverse("statistics:release"), {"k": 5})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Channary" not in text and "REL-" not in text
    header = text.splitlines()[0].split(",")
    assert not has_direct_identifiers(header)
    assert verify_k_anonymous(text, k=5).ok
    assert text.count("\n") == 12  # header and 11 consented rows
    assert "TH" in text
    event = AuditEvent.objects.get(action=AuditAction.STATISTICS_EXPORTED)
    assert event.changes["rows"] == 11 and event.changes["k"] == 5


def test_other_roles_are_refused_the_release(cast):
    others = [u for u in cast.everyone() if Role.STATISTICS_OFFICER not in u.roles]
    assert_refused(reverse("statistics:release"), others, expect=403)
    assert_refused(reverse("statistics:release"), others, method="post", expect=403)
    assert_refused(reverse("statistics:release"), [None])
