"""A create retried after a dropped response makes one record, not two (API and forms)."""

import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.models import Case, CaseNote
from ctip.core.idempotency import FORM_FIELD, claim, request_fingerprint
from ctip.core.models import IdempotencyRecord
from ctip.core.testing import api_token_key, verified_client
from ctip.evidence.models import EvidenceItem
from ctip.intake.models import Report
from ctip.justice import services as justice_services
from ctip.people.models import Person
from ctip.people.services import person_create
from ctip.referrals.models import Referral
from ctip.shelters.testing import case, consent_to_b, survivor  # noqa: F401

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"


def api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")


def post(client: Client, url: str, body: dict, key: str | None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, body, content_type="application/json", headers=headers)


# --- API ----------------------------------------------------------------------------------------


def test_an_api_create_retried_with_the_same_key_makes_one_record_and_replays_the_answer(cast):
    client = api_client(cast.a[Role.CASE_WORKER])
    body = {"given_name": "Dara", "family_name": "Sok", "sex": "f"}
    first = post(client, PEOPLE, body, "retry-1")
    again = post(client, PEOPLE, body, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Person.objects.filter(given_name="Dara").count() == 1


def test_without_a_key_each_post_creates_as_before(cast):
    client = api_client(cast.a[Role.CASE_WORKER])
    for _ in range(2):
        assert post(client, PEOPLE, {"given_name": "Dara"}, None).status_code == 201
    assert Person.objects.filter(given_name="Dara").count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_with_another_body_or_endpoint_is_refused_with_422(cast):
    client = api_client(cast.a[Role.HOTLINE_OPERATOR])
    assert post(client, PEOPLE, {"given_name": "Dara"}, "k").status_code == 201
    other_body = post(client, PEOPLE, {"given_name": "Vichet"}, "k")
    other_endpoint = post(client, "/api/v1/intake/reports/", {"narrative": "A call."}, "k")
    assert other_body.status_code == other_endpoint.status_code == 422
    assert "different request" in other_body.json()["detail"]
    assert Person.objects.count() == 1 and not Report.objects.exists()


def test_a_rejected_request_does_not_hold_its_key(cast):
    client = api_client(cast.a[Role.CASE_WORKER])
    bad = post(client, PEOPLE, {"given_name": "D", "estimated_age": -3}, "fix-and-retry")
    assert bad.status_code == 400 and not IdempotencyRecord.objects.exists()
    good = post(client, PEOPLE, {"given_name": "D", "estimated_age": 13}, "fix-and-retry")
    assert good.status_code == 201 and Person.objects.count() == 1


def test_keys_belong_to_one_user_and_expire_after_a_day(cast):
    body = {"given_name": "Dara"}
    own, other = cast.a[Role.CASE_WORKER], cast.b[Role.CASE_WORKER]
    assert post(api_client(own), PEOPLE, body, "shared").status_code == 201
    answer = post(api_client(other), PEOPLE, body, "shared")
    assert answer.status_code == 201 and answer.json()["organisation"] == "b"
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert post(api_client(own), PEOPLE, body, "shared").status_code == 201
    assert Person.objects.filter(given_name="Dara").count() == 3


def test_a_malformed_key_is_refused(cast):
    client = api_client(cast.a[Role.CASE_WORKER])
    for key in ("x" * 256, "with space", "ключ"):
        assert post(client, PEOPLE, {"given_name": "Dara"}, key).status_code == 400
    assert not Person.objects.exists()


def test_a_refused_user_gets_the_refusal_and_nothing_is_remembered(cast):
    answer = post(api_client(cast.a[Role.STATISTICS_OFFICER]), PEOPLE, {"given_name": "D"}, "k")
    anonymous = post(Client(), PEOPLE, {"given_name": "D"}, "k")
    assert answer.status_code == 403 and anonymous.status_code == 401
    assert not IdempotencyRecord.objects.exists() and not Person.objects.exists()


def test_the_schema_documents_the_header_on_every_post(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "IdempotencyKey" in schema["components"]["parameters"]
    posts = [op for item in schema["paths"].values() for m, op in item.items() if m == "post"]
    assert posts
    for operation in posts:
        refs = [p.get("$ref") for p in operation["parameters"]]
        assert "#/components/parameters/IdempotencyKey" in refs
        assert {"409", "422"} <= set(operation["responses"])


def test_a_duplicate_of_a_request_still_running_is_told_to_retry(cast):
    # A concurrent duplicate normally waits on the unique (user, key) constraint until the
    # first request commits, then replays it; should it ever see the claim unfinished, it is
    # told to retry rather than allowed to create a second record.
    user = cast.a[Role.CASE_WORKER]
    client = api_client(user)
    running, _ = claim(
        user=user, key="in-flight", endpoint=f"POST {PEOPLE}", request_hash=_hash({"a": 1})
    )
    answer = post(client, PEOPLE, {"a": 1}, "in-flight")
    assert answer.status_code == 409 and answer["Retry-After"] == "1"
    assert not Person.objects.exists() and running.status_code is None


def _hash(body: dict) -> str:
    request = RequestFactory().post(PEOPLE, body, content_type="application/json")
    return request_fingerprint(request)


# --- Forms --------------------------------------------------------------------------------------


def double_post(client: Client, url: str, data: dict, **extra):
    """Loads the form, then posts it twice with the token it rendered (a lost response)."""
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(rf'name="{FORM_FIELD}" value="([0-9a-f]{{32}})"', page.content.decode())
    assert token, "the form renders no submission token"
    data = data | {FORM_FIELD: token.group(1)}
    first = client.post(url, data, **extra)
    if "file" in data:
        data["file"].seek(0)
    second = client.post(url, data, **extra)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    return first, second


def test_a_double_posted_person_form_records_one_person(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    data = {"given_name": "Sophal", "family_name": "Chea", "sex": "m", "estimated_age": "12"}
    double_post(client, reverse("people:create"), data)
    assert Person.objects.filter(given_name="Sophal").count() == 1
    follow = client.get(reverse("people:create"))
    assert follow.status_code == 200  # a fresh form gets a fresh token
    # A token that was only shown with errors is still good for the corrected post.
    assert IdempotencyRecord.objects.count() == 1


def test_a_double_posted_hotline_report_records_one_report(cast):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    data = {"source": "hotline", "narrative": "Girl of 14 at a karaoke bar", "sex_described": "f"}
    double_post(client, reverse("intake:console"), data | {"urgency": ""})
    assert Report.objects.count() == 1


def test_a_double_posted_case_opening_opens_one_case(cast):
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(actor=worker, given_name="Srey", sex="f")
    data = {
        "person": person.pk,
        "source": "direct",
        "opened_on": timezone.localdate().isoformat(),
        "case_worker": worker.pk,
    }
    double_post(verified_client(worker), reverse("cases:open"), data)
    assert Case.objects.filter(person=person).count() == 1


def test_a_double_posted_case_note_adds_one_note(cast, case):  # noqa: F811
    client = verified_client(cast.a[Role.CASE_WORKER])
    data = {"kind": "phone", "happened_on": timezone.localdate().isoformat(), "text": "Called."}
    double_post(client, reverse("cases:note_add", args=[case.uuid]), data)
    assert CaseNote.objects.filter(case=case, text="Called.").count() == 1


def test_a_double_posted_referral_sends_one_referral(cast, case, consent_to_b):  # noqa: F811
    client = verified_client(cast.a[Role.CASE_WORKER])
    data = {
        "to_organisation": cast.org_b.pk,
        "kind": "service",
        "urgency": "urgent",
        "reason": "Shelter",
        "sections": ["identity"],
    }
    double_post(client, reverse("referrals:create", args=[case.uuid]), data)
    assert Referral.objects.filter(case=case).count() == 1


def test_a_double_posted_evidence_upload_stores_one_item(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    investigator = cast.a[Role.INVESTIGATOR]
    investigation = justice_services.investigation_create(
        actor=investigator,
        title="Karaoke ring",
        opened_on=date(2025, 3, 1),
        source="operation",
        exploitation_form="sex_karaoke",
        summary="",
    )
    upload = SimpleUploadedFile("note.txt", b"plain words", content_type="text/plain")
    data = {"kind": "document", "title": "Note", "collected_on": "2025-03-02", "file": upload}
    double_post(
        verified_client(investigator), reverse("evidence:upload", args=[investigation.uuid]), data
    )
    assert EvidenceItem.objects.filter(title="Note").count() == 1


def test_a_form_shown_again_with_errors_frees_its_token(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    token = uuid.uuid4().hex
    url = reverse("people:create")
    shown = client.post(url, {"sex": "f", "date_of_birth": "2999-01-01", FORM_FIELD: token})
    assert shown.status_code == 200 and f'value="{token}"' in shown.content.decode()
    done = client.post(url, {"given_name": "Kanha", "sex": "f", FORM_FIELD: token})
    assert done.status_code == 302 and Person.objects.filter(given_name="Kanha").count() == 1


def test_tokens_of_one_user_do_not_replay_for_another(cast):
    token = uuid.uuid4().hex
    data = {"given_name": "Kanha", "sex": "f", FORM_FIELD: token}
    url = reverse("people:create")
    for user in (cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]):
        assert verified_client(user).post(url, data).status_code == 302
    assert Person.objects.filter(given_name="Kanha").count() == 2
