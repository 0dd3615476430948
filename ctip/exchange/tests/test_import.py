"""HTCDS import: every row validated, errors by row and column, rows whole or not at all,
resumable and exactly once, CSV and XLSX, the toolkits' variant column names, audited."""

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases.models import Approval, Case, Consent
from ctip.core.shared_data import shared_data_dir
from ctip.exchange import htcds_rows, importer
from ctip.exchange.htcds import MAPPING, canonical_column, htcds_export
from ctip.exchange.importer import batch_create, batch_run, import_rows
from ctip.exchange.issues import batch_issues
from ctip.exchange.models import ImportBatch, ImportedRow, ImportStatus, RowOutcome
from ctip.people.models import Person

DEMO = Path(importer.__file__).parent / "data" / "htcds_demo.csv"
TEMPLATE = shared_data_dir() / "htcds" / "HTCDS_Excel_Spreadsheet_v2.0.xlsx"
HEADER = [
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TypeOfExploitation",
    "hte_Country",
]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _good(n: int) -> list[list[str]]:
    return [
        [f"Name{i}", "Sok", "2009-05-01", "Feminine", "KH", "ForcedLabour", "TH"] for i in range(n)
    ]


@pytest.fixture(autouse=True)
def countries(db):
    from ctip.places.models import Country

    for code, a3, name in [
        ("KH", "KHM", "Cambodia"),
        ("TH", "THA", "Thailand"),
        ("VN", "VNM", "Viet Nam"),
        ("MY", "MYS", "Malaysia"),
        ("CN", "CHN", "China"),
        ("MM", "MMR", "Myanmar"),
    ]:
        Country.objects.get_or_create(code=code, defaults={"alpha3": a3, "name_en": name})


@pytest.fixture
def supervisor(cast):
    return cast.a[Role.CASE_SUPERVISOR]


def _import(actor, content: bytes, name: str = "file.csv") -> ImportBatch:
    batch, _created = batch_create(actor=actor, file_name=name, content=content)
    return batch_run(batch=batch, actor=actor)


def _issues(actor, batch) -> list[tuple]:
    return [(i["row"], i["column"], i["level"]) for i in batch_issues(actor, batch)]


def test_the_demo_file_imports_its_valid_rows_and_reports_the_bad_one(supervisor):
    batch = _import(supervisor, DEMO.read_bytes(), DEMO.name)
    assert batch.status == ImportStatus.DONE
    assert (batch.total_rows, batch.rows_imported, batch.rows_failed) == (6, 5, 1)
    assert Person.objects.filter(organisation=supervisor.organisation).count() == 5
    errors = {(r, c) for r, c, level in _issues(supervisor, batch) if level == "error"}
    assert errors == {
        (7, "prs_Birthdate"),
        (7, "prs_Citizenship"),
        (7, "vic_TraffickingStatus"),
    }
    assert not Person.objects.filter(given_name="Bopha").exists()
    dara = Case.objects.get(person__given_name="Dara")
    assert dara.organisation == supervisor.organisation
    assert dara.status == "active"
    assert dara.opened_on == date(2025, 2, 3)
    assert dara.means_of_control == ["FalsePromises", "TakesEarnings"]
    assert [c.code for c in dara.destination_countries.all()] == ["TH"]
    assert Case.objects.get(person__given_name="Srey").status == "follow_up"
    assert sorted(c.code for c in Person.objects.get(given_name="Rith").citizenship.all()) == [
        "KH",
        "VN",
    ]
    # The file holds names: it is not kept once the import is over.
    assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == b""


def test_an_export_imported_into_another_organisation_creates_the_same_people_and_cases(cast):
    from ctip.exchange.tests.test_htcds import _case

    a_supervisor, b_supervisor = cast.a[Role.CASE_SUPERVISOR], cast.b[Role.CASE_SUPERVISOR]
    for i, relation in enumerate(["friend", "family", "stranger"]):
        case = _case(cast, "a", f"A-{i}", consent="sharing", name=f"Survivor{i}")
        case.recruiter_relation = relation
        case.means_of_control = ["DebtBondage", "WithholdsDocuments"]
        case.age_when_trafficked = 14 + i
        case.forced_labour_industry = "C_Manufacturing"
        case.save()
        case.destination_countries.set(["TH", "MY"][: i + 1])
        case.person.citizenship.set(["KH"])
    exported = htcds_export(user=a_supervisor)
    assert len(exported.rows) == 3

    batch = _import(b_supervisor, exported.to_csv().encode())
    assert (batch.rows_imported, batch.rows_failed) == (3, 0)

    def htcds_rows(org):
        cases = Case.objects.filter(organisation=org).select_related("person")
        skip = {"cas_CaseOwner", "con_Consent"}
        return sorted(
            (tuple((f.htcds, f.get(c)) for f in MAPPING if f.htcds not in skip) for c in cases),
        )

    assert htcds_rows(cast.org_b) == htcds_rows(cast.org_a)


def test_the_toolkits_variant_column_names_are_accepted():
    assert canonical_column("prs_First_Name") == "prs_FirstName"
    assert canonical_column("prs_Second_Name") == "prs_SecondName"
    assert canonical_column("vic_Methods_of_Control") == "vic_MethodsOfControl"
    assert canonical_column("\ufeffvic_TraffickinStatusDecisionMakingOrg ") == (
        "vic_TraffickingStatusDecisionMakingOrg"
    )
    columns = htcds_rows.resolve_columns(
        ["prs_First_Name", "PRS_SECOND_NAME", "vic_Methods_of_Control", "prs_gender"]
    )
    assert list(columns.index) == [
        "prs_FirstName",
        "prs_SecondName",
        "vic_MethodsOfControl",
        "prs_Gender",
    ]
    assert columns.warnings == []


def test_an_xlsx_file_in_the_htcds_template_layout_is_imported_with_its_row_numbers(supervisor):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [None, "prs_First_Name", "prs_Second_Name", "prs_Birthdate", "vic_Methods_of_Control"]
    )
    sheet.append([None, "First Name", "Second Name", "Birthdate", "Methods of Control"])
    sheet.append([1, "Sophea", "Chan", date(2008, 4, 5), "DebtBondage PhysicalAbuse"])
    sheet.append([2, "Nary", "Ouk", "not a date", "DebtBondage"])
    sheet.append([3, None, None, None, None])  # the template's numbered empty rows
    out = io.BytesIO()
    book.save(out)

    batch = _import(supervisor, out.getvalue(), "cases.xlsx")
    assert batch.file_format == "xlsx"
    assert (batch.total_rows, batch.rows_imported, batch.rows_failed) == (2, 1, 1)
    assert _issues(supervisor, batch) == [(4, "prs_Birthdate", "error")]
    sophea = Person.objects.get(given_name="Sophea")
    assert sophea.date_of_birth == date(2008, 4, 5)
    assert Case.objects.get(person=sophea).means_of_control == ["DebtBondage", "PhysicalAbuse"]


@pytest.mark.skipif(not TEMPLATE.exists(), reason="the HTCDS template is not available")
def test_the_empty_htcds_template_has_no_rows_and_its_misspelt_column_is_recognised(supervisor):
    batch, _created = batch_create(
        actor=supervisor, file_name=TEMPLATE.name, content=TEMPLATE.read_bytes()
    )
    assert batch.total_rows == 0
    unknown = [w for w in batch.warnings if "Unknown" in w["message"]]
    assert unknown == []
    assert "vic_TraffickinStatusDecisionMakingOrg" in {w["column"] for w in batch.warnings}


def test_each_kind_of_error_is_reported_by_row_and_column(supervisor):
    header = [*HEADER, "con_Consent", "vic_AgeWhenTrafficked", "favourite_colour"]
    rows = [
        ["", "", "2009-05-01", "Feminine", "KH", "ForcedLabour", "TH", "TRUE", "12"],
        ["A", "B", "2009-13-01", "Feminine", "KH", "ForcedLabour", "TH", "TRUE", "12"],
        ["A", "B", "2009-05-01", "Woman", "KH", "ForcedLabour", "TH", "TRUE", "12"],
        ["A", "B", "2009-05-01", "Feminine", "KH", "Scam;ForcedLabour", "ZZ", "TRUE", "12"],
        ["A", "B", "2009-05-01", "Feminine", "KH", "ForcedLabour", "TH", "FALSE", "12.5"],
        ["C", "D", "2009-05-01", "Feminine", "KH", "ForcedLabour", "TH", "yes", "12", "blue"],
    ]
    batch = _import(supervisor, _csv(rows, header))
    assert (batch.rows_imported, batch.rows_failed) == (1, 5)
    assert _issues(supervisor, batch) == [
        (1, "favourite_colour", "warning"),  # once, not per row
        (2, "prs_FirstName", "error"),
        (3, "prs_Birthdate", "error"),
        (4, "prs_Gender", "error"),
        (5, "vic_TypeOfExploitation", "error"),
        (5, "hte_Country", "error"),
        (6, "vic_AgeWhenTrafficked", "error"),
        (6, "con_Consent", "error"),
    ]
    messages = {i["column"]: i["message"] for i in batch_issues(supervisor, batch)}
    assert "“Woman”" in messages["prs_Gender"]
    assert "“Scam”" in messages["vic_TypeOfExploitation"]
    assert "ZZ" in messages["hte_Country"]
    assert Person.objects.filter(organisation=supervisor.organisation).count() == 1


def test_a_file_without_an_importable_column_is_refused_whole(supervisor):
    with pytest.raises(ValidationError) as refused:
        batch_create(actor=supervisor, file_name="x.csv", content=b"name,age\nSok,12\n")
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        batch_create(actor=supervisor, file_name="x.csv", content=b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    with pytest.raises(ValidationError):
        batch_create(actor=supervisor, file_name="x.xlsx", content=b"PK\x03\x04broken")
    assert not ImportBatch.objects.exists()


def test_a_too_large_file_is_refused(supervisor, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    with pytest.raises(ValidationError) as refused:
        batch_create(actor=supervisor, file_name="x.csv", content=_csv(_good(5)))
    assert "too large" in refused.value.message_dict["file"][0]


def test_a_row_failing_in_a_service_leaves_nothing_behind(supervisor, monkeypatch):
    from ctip.cases import services

    real = services.case_update

    def failing(*, case, **kwargs):
        if case.person.given_name == "Name1":
            raise ValidationError({"age_when_trafficked": "refused by the service"})
        return real(case=case, **kwargs)

    monkeypatch.setattr(services, "case_update", failing)
    events_before = AuditEvent.objects.count()
    batch = _import(supervisor, _csv(_good(3)))
    assert (batch.rows_imported, batch.rows_failed) == (2, 1)
    assert not Person.objects.filter(given_name="Name1").exists()
    assert not Case.objects.filter(person__given_name="Name1").exists()
    assert _issues(supervisor, batch) == [(3, "vic_AgeWhenTrafficked", "error")]
    # Two rows: person, case opened, profile, row imported; plus start and finish of the batch.
    created = AuditEvent.objects.count() - events_before
    assert created == 2 * 4 + 2


def test_a_stopped_import_resumes_and_imports_every_row_exactly_once(supervisor):
    content = _csv(_good(7))
    batch, _created = batch_create(actor=supervisor, file_name="f.csv", content=content)
    batch = batch_run(batch=batch, actor=supervisor, limit=3)
    assert batch.status == ImportStatus.RUNNING
    assert batch.rows_done == 3
    assert batch.lease_until is None  # released: the next run may take it at once

    # A crash in the middle of a run (the process dies after two more rows).
    def crash(current):
        if current.rows_done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch_run(batch=batch, actor=supervisor, progress=crash)
    assert ImportBatch.objects.get(pk=batch.pk).rows_done == 5

    batch, created = batch_create(actor=supervisor, file_name="again.csv", content=content)
    assert not created
    batch = batch_run(batch=batch, actor=supervisor)
    assert batch.status == ImportStatus.DONE
    assert (batch.rows_done, batch.rows_imported) == (7, 7)
    assert Person.objects.filter(organisation=supervisor.organisation).count() == 7
    assert sorted(ImportedRow.objects.values_list("row", flat=True)) == list(range(2, 9))


def test_a_batch_held_by_another_run_is_left_alone(supervisor):
    from django.utils import timezone

    batch, _created = batch_create(actor=supervisor, file_name="f.csv", content=_csv(_good(2)))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, lease_until=timezone.now() + importer.LEASE
    )
    batch = batch_run(batch=batch, actor=supervisor)
    assert batch.rows_done == 0 and not Person.objects.exists()
    # A lease left by a stopped server expires, and the batch is resumed.
    ImportBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now())
    assert batch_run(batch=batch, actor=supervisor).rows_imported == 2


def test_importing_the_same_file_again_creates_no_duplicates(supervisor):
    content = _csv(_good(3))
    first = _import(supervisor, content)
    again = _import(supervisor, content, "renamed.csv")
    assert again.pk == first.pk
    assert ImportBatch.objects.count() == 1
    assert Person.objects.filter(organisation=supervisor.organisation).count() == 3


def test_a_corrected_file_uploaded_whole_imports_only_the_corrected_rows(supervisor):
    rows = _good(3)
    rows[1][3] = "Woman"
    first = _import(supervisor, _csv(rows))
    assert (first.rows_imported, first.rows_failed) == (2, 1)
    rows[1][3] = "Feminine"
    second = _import(supervisor, _csv(rows))
    assert (second.rows_imported, second.rows_skipped) == (1, 2)
    assert Person.objects.filter(organisation=supervisor.organisation).count() == 3
    assert ImportedRow.objects.filter(batch=second, outcome=RowOutcome.DUPLICATE).count() == 2


def test_a_case_identifier_is_imported_once_whichever_file_brings_it(supervisor):
    header = ["cas_CaseNumber", *HEADER]
    first = _import(supervisor, _csv([["X-1", *_good(1)[0]]], header))
    renamed = _good(1)[0]
    renamed[0] = "Other"
    second = _import(supervisor, _csv([["X-1", *renamed], ["X-2", *renamed]], header))
    assert first.rows_imported == 1
    assert (second.rows_imported, second.rows_skipped) == (1, 1)
    assert _issues(supervisor, second) == [(2, "cas_CaseNumber", "warning")]


def test_a_closed_case_is_imported_with_a_closure_request_for_another_supervisor(supervisor):
    header = ["prs_FirstName", "cas_Status", "cas_ReasonForCaseClosure"]
    batch = _import(supervisor, _csv([["Mealea", "Closed", "Reintegrated with family"]], header))
    case = Case.objects.get(person__given_name="Mealea")
    approval = Approval.objects.get(case=case)
    assert (case.status, approval.kind, approval.reason) == (
        "active",
        "closure",
        "Reintegrated with family",
    )
    assert _issues(supervisor, batch) == [(2, "cas_Status", "warning")]


def test_only_importers_of_the_organisation_may_import(cast, supervisor):
    content = _csv(_good(1))
    for role in (Role.CASE_WORKER, Role.STATISTICS_OFFICER, Role.ORG_ADMIN):
        with pytest.raises(PermissionDenied):
            batch_create(actor=cast.a[role], file_name="f.csv", content=content)
    batch, _created = batch_create(actor=supervisor, file_name="f.csv", content=content)
    with pytest.raises(PermissionDenied):
        batch_run(batch=batch, actor=cast.b[Role.CASE_SUPERVISOR])
    assert not Person.objects.exists()


def test_the_import_is_audited_without_sensitive_values(supervisor):
    batch = _import(supervisor, _csv(_good(2)))
    actions = list(
        AuditEvent.objects.filter(actor=supervisor).order_by("seq").values_list("action", flat=True)
    )
    assert actions[0] == AuditAction.HTCDS_IMPORT_STARTED
    assert actions.count(AuditAction.HTCDS_ROW_IMPORTED) == 2
    assert actions[-1] == AuditAction.HTCDS_IMPORT_FINISHED
    started = AuditEvent.objects.get(action=AuditAction.HTCDS_IMPORT_STARTED)
    assert started.changes["file_name"] is None  # a file name may name people
    assert started.target_id == str(batch.uuid)
    person = AuditEvent.objects.filter(action=AuditAction.CREATE, target_type="people.person")
    assert person.count() == 2
    assert all(e.changes["date_of_birth"] is None for e in person)
    assert "2009-05-01" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_import_rows_is_a_plain_function_for_benchmarks(supervisor):
    batch, _created = batch_create(actor=supervisor, file_name="f.csv", content=_csv(_good(2)))
    seen = []
    rows = [(2, {"prs_FirstName": "Bench", "prs_Gender": "Masculine"})]
    result = import_rows(
        batch=batch, rows_iter=rows, actor=supervisor, progress=lambda b: seen.append(b.rows_done)
    )
    assert result.finished and seen == [1]
    assert Person.objects.get(given_name="Bench").sex == "m"


def test_the_command_imports_a_file_with_a_progress_bar_and_a_summary(supervisor, tmp_path):
    out = io.StringIO()
    call_command("import_htcds", str(DEMO), user=supervisor.email, stdout=out)
    text = out.getvalue()
    assert "6/6 rows" in text and "rows/s" in text
    assert "Imported 5, with errors 1" in text
    assert "row 7 prs_Birthdate [error]" in text
    out = io.StringIO()
    call_command("import_htcds", str(DEMO), user=supervisor.email, stdout=out)
    assert "already imported" in out.getvalue()
    assert Person.objects.count() == 5


def test_the_command_fails_with_a_message_on_a_file_level_error(supervisor, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,age\nSok,12\n")
    with pytest.raises(CommandError, match="No HTCDS 2.0 column"):
        call_command("import_htcds", str(bad), user=supervisor.email, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_htcds", str(tmp_path / "missing.csv"), user=supervisor.email)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_htcds", str(DEMO), user="case_worker@a.test")


def test_the_command_asks_for_resume_to_continue_a_stopped_import(supervisor, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(_csv(_good(4)))
    batch, _created = batch_create(actor=supervisor, file_name="f.csv", content=path.read_bytes())
    batch_run(batch=batch, actor=supervisor, limit=1)
    with pytest.raises(CommandError, match="--resume"):
        call_command("import_htcds", str(path), user=supervisor.email, stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_htcds", str(path), user=supervisor.email, resume=True, stdout=out)
    assert "Imported 4" in out.getvalue()
    assert Person.objects.count() == 4


def test_consent_is_not_created_by_an_import(supervisor):
    # con_Consent is HTCDS's consent to the interview; sharing consent is recorded in CTIP.
    _import(supervisor, DEMO.read_bytes())
    assert not Consent.objects.exists()
