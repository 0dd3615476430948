"""Only an organisation that provides legal aid may be named to represent the victims of an
investigation: naming one opens the proceeding and its evidence to it (docs/security.md)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ctip.access.policy import visible_to
from ctip.accounts.models import OrganisationType
from ctip.accounts.roles import Role
from ctip.core.testing import make_organisation, make_user, verified_client
from ctip.evidence.models import EvidenceItem
from ctip.justice import services
from ctip.justice.forms import InvestigationForm
from ctip.justice.models import Investigation

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(cast):
    org = make_organisation("tip", name="Tip Line", type=OrganisationType.HOTLINE)
    for role in (Role.INVESTIGATOR, Role.LEGAL_OFFICER, Role.HOTLINE_OPERATOR):
        make_user(org, role)
    return org


def _open(actor, **values):
    return services.investigation_create(
        actor=actor,
        title="Karaoke ring",
        opened_on=date(2025, 3, 1),
        source="operation",
        exploitation_form="sex_karaoke",
        **values,
    )


def test_the_form_offers_only_organisations_that_provide_legal_aid(cast, hotline):
    form = InvestigationForm(user=cast.a[Role.INVESTIGATOR])
    offered = set(form.fields["legal_organisation"].queryset)
    assert cast.org_b in offered  # B provides legal aid (the test cast)
    assert hotline not in offered and cast.org_a not in offered


def test_the_service_refuses_an_organisation_that_does_not_provide_legal_aid(cast, hotline):
    investigator = cast.a[Role.INVESTIGATOR]
    with pytest.raises(ValidationError) as refused:
        _open(investigator, legal_organisation=hotline)
    assert "legal_organisation" in refused.value.message_dict
    assert not Investigation.objects.exists()
    inv = _open(investigator, legal_organisation=cast.org_b)
    with pytest.raises(ValidationError) as refused:
        services.investigation_update(
            actor=investigator,
            investigation=inv,
            expected_version=inv.version,
            legal_organisation=hotline,
        )
    assert "legal_organisation" in refused.value.message_dict
    inv.refresh_from_db()
    assert inv.legal_organisation == cast.org_b


def test_the_api_answers_the_refusal_in_the_users_language(cast, hotline):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    body = {
        "title": "Karaoke ring",
        "opened_on": "2025-03-01",
        "source": "operation",
        "exploitation_form": "sex_karaoke",
        "legal_organisation": hotline.code,
    }
    response = client.post(reverse("api-investigations"), body, content_type="application/json")
    assert response.status_code == 400
    message = response.json()["legal_organisation"][0]
    assert "legal aid" in message
    assert not Investigation.objects.exists()
    # The message is translated: the page and the API share the service's gettext string.
    with translation.override("km"):
        km = client.post(
            reverse("api-investigations"),
            body,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="km",
        )
    assert km.status_code == 400 and "legal_organisation" in km.json()


def test_the_page_refuses_the_choice(cast, hotline):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    response = client.post(
        reverse("justice:create"),
        {
            "title": "Karaoke ring",
            "opened_on": "2025-03-01",
            "source": "operation",
            "exploitation_form": "sex_karaoke",
            "legal_organisation": hotline.pk,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Investigation.objects.exists()
    assert hotline.name not in response.content.decode().split('name="legal_organisation"')[1]


def test_an_organisation_named_without_providing_legal_aid_sees_nothing(cast, hotline, media):
    # A record from before the check (or written past the service) names the hotline.
    inv = _open(cast.a[Role.INVESTIGATOR], legal_organisation=cast.org_b)
    item = services_evidence_item(cast, inv)
    Investigation.objects.filter(pk=inv.pk).update(legal_organisation=hotline)
    for role in (Role.INVESTIGATOR, Role.LEGAL_OFFICER):
        user = _user(hotline, role)
        assert not visible_to(user, Investigation).filter(pk=inv.pk).exists()
        assert not visible_to(user, EvidenceItem).filter(pk=item.pk).exists()
        client = verified_client(user)
        assert client.get(reverse("justice:detail", args=[inv.uuid])).status_code == 404
        assert client.get(reverse("evidence:detail", args=[item.uuid])).status_code == 404
    # Providing legal aid, the same organisation represents the victims and sees the evidence.
    hotline.provides_legal_aid = True
    hotline.save()
    user = _user(hotline, Role.LEGAL_OFFICER)
    assert visible_to(user, EvidenceItem).filter(pk=item.pk).exists()


def _user(org, role):
    return org.users.get(role_assignments__role=role)


def services_evidence_item(cast, inv):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ctip.evidence import services as evidence

    return evidence.item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=inv,
        kind="document",
        title="Ledger",
        collected_on=date(2025, 3, 2),
        upload=SimpleUploadedFile("ledger.txt", b"ledger"),
        original_name="ledger.txt",
    )
