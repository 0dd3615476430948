"""Evidence: originals kept unchanged, custody chained, bundles verified offline."""

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.evidence import services, triggers
from ctip.evidence.bundles import verify_bundle
from ctip.evidence.models import CustodyEvent, EvidenceItem, MedicalCertificate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(cast, proceeding):
    return services.item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        kind="document",
        title="Ledger",
        collected_on=date(2025, 3, 2),
        upload=PDF,
        original_name="ledger.pdf",
    )


def test_upload_stores_the_original_unchanged_with_its_sha256(item, media):
    import hashlib

    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert item.content_type == "application/pdf" and item.size == len(PDF)
    stored = services.media_path(item.file_path)
    assert stored.read_bytes() == PDF
    assert str(stored).startswith(str(media))
    assert CustodyEvent.objects.get(item=item).action == "collected"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"<svg onload=alert(1)></svg>", "x.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "doc.pdf"),
        (b"PK\x03\x04zip", "a.pdf"),
        (b"", "empty.txt"),
    ],
)
def test_files_are_judged_by_content_not_name(cast, proceeding, content, name):
    with pytest.raises(Exception) as exc:
        services.item_create(
            actor=cast.a[Role.INVESTIGATOR],
            investigation=proceeding["inv"],
            kind="document",
            title="x",
            collected_on=date(2025, 3, 2),
            upload=content,
            original_name=name,
        )
    assert "file" in exc.value.message_dict
    assert EvidenceItem.objects.count() == 0


def test_oversized_files_are_refused_and_leave_nothing_behind(cast, proceeding, settings, media):
    settings.CTIP_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(Exception) as exc:
        services.item_create(
            actor=cast.a[Role.INVESTIGATOR],
            investigation=proceeding["inv"],
            kind="document",
            title="x",
            collected_on=date(2025, 3, 2),
            upload=PDF * 10,
            original_name="a.pdf",
        )
    assert "larger" in str(exc.value)
    assert not any(p.is_file() for p in media.rglob("*"))


def test_uploaded_names_cannot_traverse_paths(item, cast, proceeding, media):
    other = services.item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        kind="document",
        title="y",
        collected_on=date(2025, 3, 2),
        upload=b"plain text\n",
        original_name="../../../etc/passwd",
    )
    assert other.original_name == "passwd"
    assert ".." not in other.file_path
    with pytest.raises(Exception):  # noqa: B017
        services.media_path("../../etc/passwd")


def test_items_are_never_edited_or_deleted_by_service_or_database(item):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.item_update(item=item)
    with pytest.raises(PermissionDenied):
        services.item_delete(item=item)
    assert len(triggers.installed(connection)) >= 6
    for sql in (
        "UPDATE evidence_evidenceitem SET title = 'forged'",
        "DELETE FROM evidence_evidenceitem",
        "UPDATE evidence_custodyevent SET reason = 'forged'",
        "DELETE FROM evidence_custodyevent",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    item.title = "forged"
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def test_a_correction_is_a_new_version_and_the_original_stays(cast, proceeding, item):
    fixed = services.item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        kind="document",
        title="Ledger (corrected)",
        collected_on=date(2025, 3, 2),
        upload=PDF + b"%fix\n",
        original_name="ledger.pdf",
        corrects=item,
        correction_reason="Page 2 was missing",
    )
    item.refresh_from_db()
    assert fixed.corrects == item and item.title == "Ledger" and fixed.sha256 != item.sha256
    with pytest.raises(Exception):  # noqa: B017
        services.item_create(
            actor=cast.a[Role.INVESTIGATOR],
            investigation=proceeding["inv"],
            kind="document",
            title="x",
            collected_on=date(2025, 3, 2),
            upload=PDF,
            corrects=item,
        )


def test_every_view_and_download_is_a_custody_event_and_is_served_as_attachment(cast, item):
    client = verified_client(cast.a[Role.LEGAL_OFFICER])
    assert client.get(reverse("evidence:detail", args=[item.uuid])).status_code == 200
    response = client.get(reverse("evidence:download", args=[item.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == PDF
    actions = list(CustodyEvent.objects.filter(item=item).values_list("action", flat=True))
    assert actions == ["collected", "viewed", "copied"]
    assert services.verify_custody(list(CustodyEvent.objects.filter(item=item)), item.uuid) == []
    assert AuditEvent.objects.filter(action="evidence_viewed").count() == 2


def test_evidence_is_refused_to_everyone_outside_the_proceeding(cast, item, outsider):
    for name in ("evidence:detail", "evidence:download"):
        url = reverse(name, args=[item.uuid])
        assert_refused(url, outsider, expect=404)
        assert_refused(
            url,
            [cast.b[Role.CASE_WORKER], cast.a[Role.CASE_WORKER], cast.a[Role.STATISTICS_OFFICER]],
            expect=403,
        )
        assert_refused(url, [None])
    assert CustodyEvent.objects.filter(item=item).count() == 1


def test_custody_events_need_a_reason_and_a_recipient_for_transfers(cast, item):
    actor = cast.a[Role.INVESTIGATOR]
    with pytest.raises(Exception):  # noqa: B017
        services.custody_record(actor=actor, item=item, action="transferred", reason="court")
    services.custody_record(
        actor=actor, item=item, action="transferred", reason="to court", handed_to="Clerk"
    )
    assert CustodyEvent.objects.filter(item=item).count() == 2


def _bundle(cast, proceeding, items, tmp_path):
    data = services.bundle_export(
        actor=cast.a[Role.LEGAL_OFFICER],
        investigation=proceeding["inv"],
        items=items,
        reason="Phnom Penh Municipal Court",
    )
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    return path


def test_a_court_bundle_verifies_offline(cast, proceeding, item, tmp_path, capsys):
    physical = services.item_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        kind="physical",
        title="Phone",
        collected_on=date(2025, 3, 2),
        description="Black phone, cracked",
    )
    path = _bundle(cast, proceeding, [item, physical], tmp_path)
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert report.items == 2 and report.events == 4
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["items"][0]["sha256"] == item.sha256
    call_command("verify_bundle", str(path))
    assert "OK" in capsys.readouterr().out
    assert CustodyEvent.objects.filter(item=item, action="exported").count() == 1


def _rewrite(path, tmp_path, change):
    src = zipfile.ZipFile(path)
    out = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                zf.writestr(name, data)
    return out


def test_verify_bundle_reports_altered_missing_and_added_files(cast, proceeding, item, tmp_path):
    path = _bundle(cast, proceeding, [item], tmp_path)
    altered = _rewrite(path, tmp_path, lambda n, d: d + b"x" if n.startswith("items/") else d)
    assert any("altered" in p for p in verify_bundle(altered).problems)
    missing = _rewrite(path, tmp_path, lambda n, d: None if n.startswith("items/") else d)
    assert any("missing" in p for p in verify_bundle(missing).problems)
    with pytest.raises(CommandError):
        call_command("verify_bundle", str(missing))

    def forge_log(name, data):
        if name != "custody_log.json":
            return data
        log = json.loads(data)
        for events in log.values():
            events[0]["actor_label"] = "someone@else"
        return json.dumps(log).encode()

    forged = _rewrite(path, tmp_path, forge_log)
    assert verify_bundle(forged).problems
    buffer = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("items/extra.txt", b"x")
    extra = tmp_path / "extra.zip"
    extra.write_bytes(buffer.getvalue())
    assert any("unexpected" in p for p in verify_bundle(extra).problems)


def test_the_bundle_page_gives_a_zip_and_refuses_others(cast, proceeding, item, outsider):
    url = reverse("evidence:bundle", args=[proceeding["inv"].uuid])
    client = verified_client(cast.a[Role.INVESTIGATOR])
    response = client.post(url, {"items": [str(item.uuid)], "reason": "Court"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert_refused(
        url, outsider, method="post", data={"items": [str(item.uuid)], "reason": "x"}, expect=404
    )
    assert_refused(
        url,
        [cast.a[Role.CASE_WORKER]],
        method="post",
        data={"items": [str(item.uuid)], "reason": "x"},
        expect=403,
    )


def test_the_medical_certificate_becomes_an_evidence_item_and_a_pdf(cast, proceeding):
    actor = cast.a[Role.INVESTIGATOR]
    values = {
        "doctor_name": "Dr. Sok",
        "facility": "Calmette",
        "consent_given": True,
        "consent_by": "parent",
        "examined_at": datetime(2025, 3, 3, 10, tzinfo=UTC),
        "estimated_age_min": 14,
        "estimated_age_max": 16,
        "physical_findings": "Bruises",
        "genital_findings": "restricted finding",
        "conclusion": "Consistent",
    }
    with pytest.raises(Exception):  # noqa: B017 (no consent, no certificate)
        services.medical_certificate_create(
            actor=actor,
            investigation=proceeding["inv"],
            examined_person=proceeding["va"].person,
            **(values | {"consent_given": False}),
        )
    cert = services.medical_certificate_create(
        actor=actor,
        investigation=proceeding["inv"],
        examined_person=proceeding["va"].person,
        **values,
    )
    item = cert.item
    assert item.kind == "medical" and item.content_type == "application/pdf"
    pdf = services.item_read_bytes(item)
    assert pdf.startswith(b"%PDF")
    assert len(cert.content_sha256) == 64
    event = AuditEvent.objects.filter(target_type="evidence.medicalcertificate").get()
    assert "restricted finding" not in json.dumps(event.changes)
    assert MedicalCertificate.objects.count() == 1
    body = verified_client(actor).get(reverse("evidence:detail", args=[item.uuid])).content
    assert cert.content_sha256.encode() in body and b"restricted finding" not in body


def test_uploading_through_the_page(cast, proceeding):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("evidence:upload", args=[proceeding["inv"].uuid])
    upload = SimpleUploadedFile("note.txt", b"hello\n", content_type="text/html")
    r = client.post(
        url, {"kind": "document", "title": "Note", "collected_on": "2025-03-02", "file": upload}
    )
    assert r.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.content_type == "text/plain"  # by content, not the declared type
    bad = SimpleUploadedFile("x.pdf", b"<script>x</script>", content_type="application/pdf")
    r = client.post(
        url, {"kind": "document", "title": "Bad", "collected_on": "2025-03-02", "file": bad}
    )
    assert r.status_code == 200 and "not accepted" in r.content.decode()
    assert_refused(url, [cast.b[Role.CASE_WORKER]], expect=403)
