"""The pages that manage data-sharing agreements: system administrators record, edit and end
them; an organisation's admin reads those its organisation is party to; nobody else sees them.
Ending an agreement stops the duplicate review queue revealing under it at once."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, make_organisation, make_user, verified_client
from ctip.matching.selectors import candidates_visible_to, review_queue
from ctip.matching.tests.conftest import agreement, twins  # noqa: F401 (fixtures)
from ctip.matching.tests.test_agreements import cross  # noqa: F401 (fixture)
from ctip.referrals.models import DataSharingAgreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(agreement):  # noqa: F811
    """An agreement between A and B revealing contacts, in force for a month already."""
    return agreement(
        "contact",
        valid_from=timezone.localdate() - timedelta(days=30),
        reference="MoU 2026/014",
    )


@pytest.fixture
def org_c_admin(cast):
    return make_user(make_organisation("c", name="Organisation C"), Role.ORG_ADMIN)


def _urls(agreement_row) -> dict[str, str]:
    return {
        "detail": reverse("referrals:agreement_detail", args=[agreement_row.uuid]),
        "edit": reverse("referrals:agreement_edit", args=[agreement_row.uuid]),
        "end": reverse("referrals:agreement_end", args=[agreement_row.uuid]),
    }


def test_the_system_admin_records_and_ends_an_agreement_through_the_pages(cast):
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("referrals:agreements") in home  # in the navigation

    form = client.get(reverse("referrals:agreement_create"))
    assert form.status_code == 200
    response = client.post(
        reverse("referrals:agreement_create"),
        {
            "organisation_a": cast.org_a.pk,
            "organisation_b": cast.org_b.pk,
            "reference": "MoU 2026/014",
            "reveal_matches": "existence",
            "contact_a": "Sophea, case unit",
            "contact_b": "Rithy, referrals desk",
            "valid_from": "2026-01-01",
            "valid_to": "",
        },
    )
    row = DataSharingAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:agreement_detail", args=[row.uuid])
    assert (row.organisation_a, row.organisation_b) == (cast.org_a, cast.org_b)
    assert (row.reveal_matches, row.valid_from, row.valid_to) == (
        "existence",
        date(2026, 1, 1),
        None,
    )
    listing = client.get(reverse("referrals:agreements")).content.decode()
    assert "MoU 2026/014" in listing and "Organisation A" in listing

    urls = _urls(row)
    page = client.get(urls["end"])
    assert page.status_code == 200 and "stays on record" in page.content.decode()
    # Without the confirmation nothing changes.
    unconfirmed = client.post(
        urls["end"], {"version": row.version, "valid_to": "2026-06-30", "reason": "Expired"}
    )
    assert unconfirmed.status_code == 200
    row.refresh_from_db()
    assert row.valid_to is None

    ended = client.post(
        urls["end"],
        {
            "version": row.version,
            "valid_to": "2026-06-30",
            "reason": "Not renewed",
            "confirm": "on",
        },
    )
    assert ended.status_code == 302 and ended["Location"] == urls["detail"]
    row.refresh_from_db()
    assert row.valid_to == date(2026, 6, 30)  # ended, never deleted
    assert DataSharingAgreement.objects.count() == 1
    events = AuditEvent.objects.filter(target_id=str(row.uuid)).order_by("seq")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert events[1].changes == {"valid_to": [None, "2026-06-30"]}
    assert events[1].reason == "Not renewed"
    assert events[1].actor_id == cast.a[Role.SYSTEM_ADMIN].pk


def test_an_edit_keeps_the_organisations_and_refuses_a_stale_version(cast, signed):
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])
    url = _urls(signed)["edit"]
    page = client.get(url).content.decode()
    assert "Contact at Organisation A" in page and 'name="organisation_a"' not in page
    values = {
        "version": signed.version,
        "reference": "MoU 2026/014 rev. 1",
        "reveal_matches": "existence",
        "contact_a": signed.contact_a,
        "contact_b": signed.contact_b,
        "valid_from": signed.valid_from.isoformat(),
        "valid_to": "",
        "organisation_a": cast.org_b.pk,  # not a field of the edit: ignored
    }
    assert client.post(url, values).status_code == 302
    signed.refresh_from_db()
    assert (signed.reveal_matches, signed.reference, signed.version) == (
        "existence",
        "MoU 2026/014 rev. 1",
        2,
    )
    assert signed.organisation_a == cast.org_a
    update = AuditEvent.objects.filter(target_id=str(signed.uuid), action="update").get()
    assert update.changes["reveal_matches"] == ["contact", "existence"]

    # Someone else's edit came first: the form comes back and nothing is overwritten.
    stale = client.post(url, values | {"version": 1, "reveal_matches": "none"})
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()
    signed.refresh_from_db()
    assert signed.reveal_matches == "existence" and signed.version == 2
    stale_end = client.post(
        _urls(signed)["end"],
        {"version": 1, "valid_to": signed.valid_from.isoformat(), "reason": "x", "confirm": "on"},
    )
    assert stale_end.status_code == 200
    signed.refresh_from_db()
    assert signed.valid_to is None


def test_ending_cannot_start_before_the_agreement_nor_extend_it(cast, signed):
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])
    url = _urls(signed)["end"]
    base = {"version": signed.version, "reason": "Closed", "confirm": "on"}
    early = client.post(url, base | {"valid_to": (signed.valid_from - timedelta(1)).isoformat()})
    assert early.status_code == 200 and "cannot end before that day" in early.content.decode()
    last = signed.valid_from + timedelta(days=5)
    assert client.post(url, base | {"valid_to": last.isoformat()}).status_code == 302
    later = client.post(
        url, base | {"version": signed.version + 1, "valid_to": (last + timedelta(1)).isoformat()}
    )
    assert later.status_code == 200 and "cannot extend it" in later.content.decode()
    signed.refresh_from_db()
    assert signed.valid_to == last


def test_an_organisation_admin_reads_only_their_organisations_agreements(cast, signed, org_c_admin):
    a_admin = verified_client(cast.a[Role.ORG_ADMIN])
    assert reverse("referrals:agreements") in a_admin.get(reverse("core:home")).content.decode()
    listing = a_admin.get(reverse("referrals:agreements")).content.decode()
    assert "MoU 2026/014" in listing
    assert reverse("referrals:agreement_create") not in listing
    detail = a_admin.get(_urls(signed)["detail"])
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Rithy, referrals desk" in body
    assert _urls(signed)["edit"] not in body and _urls(signed)["end"] not in body
    # Read-only: organisations.manage is the system administrator's alone (roles.py).
    b_admin = cast.b[Role.ORG_ADMIN]
    assert_refused(_urls(signed)["edit"], [cast.a[Role.ORG_ADMIN], b_admin], expect=403)
    assert_refused(
        _urls(signed)["end"],
        [cast.a[Role.ORG_ADMIN], b_admin],
        method="post",
        data={"version": 1, "valid_to": "2026-01-01", "reason": "x", "confirm": "on"},
        expect=403,
    )
    assert_refused(reverse("referrals:agreement_create"), [b_admin], expect=403)

    # C is not party to it: not listed, and its page does not exist for C.
    c_client = verified_client(org_c_admin)
    c_listing = c_client.get(reverse("referrals:agreements"))
    assert c_listing.status_code == 200
    assert "MoU 2026/014" not in c_listing.content.decode()
    assert str(signed.uuid) not in c_listing.content.decode()
    assert_refused(_urls(signed)["detail"], [org_c_admin], expect=404)
    signed.refresh_from_db()
    assert signed.valid_to is None and signed.version == 1


def test_other_roles_are_refused_every_agreement_page(cast, signed):
    urls = [reverse("referrals:agreements"), reverse("referrals:agreement_create")]
    urls += list(_urls(signed).values())
    others = [
        cast.a[Role.CASE_WORKER],
        cast.a[Role.CASE_SUPERVISOR],
        cast.b[Role.CASE_WORKER],
        cast.a[Role.STATISTICS_OFFICER],
        cast.no_role,
    ]
    for url in urls:
        assert_refused(url, others, expect=403)
        assert_refused(url, [None])
    worker = verified_client(cast.a[Role.CASE_WORKER])
    assert reverse("referrals:agreements") not in worker.get(reverse("core:home")).content.decode()


def test_ending_an_agreement_stops_the_queue_revealing_at_once(cast, cross, signed):  # noqa: F811
    reviewer = cast.a[Role.CASE_WORKER]
    views = [v for v in review_queue(user=reviewer) if v.candidate.pk == cross.pk]
    assert views and views[0].other_organisation == cast.org_b
    assert candidates_visible_to(user=cast.b[Role.CASE_WORKER]).filter(pk=cross.pk).exists()

    yesterday = timezone.localdate() - timedelta(days=1)
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])
    page = client.get(_urls(signed)["end"]).content.decode()
    assert f'value="{yesterday.isoformat()}"' in page  # proposed: stop at once
    response = client.post(
        _urls(signed)["end"],
        {
            "version": signed.version,
            "valid_to": yesterday.isoformat(),
            "reason": "Partner withdrew",
            "confirm": "on",
        },
    )
    assert response.status_code == 302

    for user in (reviewer, cast.b[Role.CASE_WORKER]):
        assert not candidates_visible_to(user=user).filter(pk=cross.pk).exists()
        queue = verified_client(user).get(reverse("matching:queue")).content.decode()
        assert str(cross.uuid) not in queue
        detail = verified_client(user).get(reverse("matching:detail", args=[cross.uuid]))
        assert detail.status_code == 404
    listing = client.get(reverse("referrals:agreements") + "?state=ended").content.decode()
    assert "MoU 2026/014" in listing
