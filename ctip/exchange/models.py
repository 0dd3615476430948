"""Reference stores: published data sets (CTDC, UNODC GLOTIP) kept beside CTIP's own figures.

They hold aggregates or synthetic records, never a person known to CTIP; they are read through
`ctip.access` like everything else (statistics.view), and replaced whole by their import
commands: one `ReferenceDataset` per (source, version), its rows deleted with it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class ReferenceSource(models.TextChoices):
    CTDC = "ctdc", _("CTDC victim–perpetrator synthetic data")
    UNODC = "unodc", _("UNODC Global Report on Trafficking in Persons data")


class ReferenceDataset(models.Model):
    """One imported version of a published data set."""

    source = models.CharField(_("source"), max_length=16, choices=ReferenceSource.choices)
    version = models.CharField(_("version"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="exchange_refset_unique")
        ]
        ordering = ["source", "-version"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.version}"


class CtdcRecord(models.Model):
    """One row of the CTDC victim–perpetrator synthetic file, values kept as published.

    A blank value is missing; multi-values stay joined by ';' as in the file (the official
    frequency tables count the joined value as one category).
    """

    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField(_("row in the file"))
    year_register = models.CharField(_("year of registration"), max_length=16, blank=True)
    gender = models.CharField(_("gender, victim"), max_length=16, blank=True)
    majority_status = models.CharField(_("majority status, victim"), max_length=16, blank=True)
    is_forced_labour = models.CharField(_("forced labour"), max_length=4, blank=True)
    is_sexual_exploit = models.CharField(_("sexual exploitation"), max_length=4, blank=True)
    un_coo_region = models.CharField(_("region of citizenship"), max_length=64, blank=True)
    un_coe_region = models.CharField(_("region of exploitation"), max_length=64, blank=True)
    ip_exploiter = models.CharField(_("role: exploiter"), max_length=4, blank=True)
    ip_gender = models.CharField(_("gender, perpetrator"), max_length=32, blank=True)
    ip_age_broad = models.CharField(_("age, perpetrator"), max_length=64, blank=True)
    ip_citizen_un_region = models.CharField(
        _("region of citizenship, perpetrator"), max_length=128, blank=True
    )
    ip_relation = models.CharField(_("relationship"), max_length=128, blank=True)
    ip_pay_money = models.CharField(_("victim paid the perpetrator"), max_length=16, blank=True)
    ip_recruiter_broker = models.CharField(_("role: recruiter"), max_length=4, blank=True)
    ip_transaction_process = models.CharField(_("role: transaction"), max_length=4, blank=True)
    ip_control_abuse_kidnap = models.CharField(_("role: control"), max_length=4, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "row"], name="exchange_ctdc_row_unique")
        ]

    def __str__(self) -> str:
        return f"CTDC row {self.row}"


class UnodcFigure(models.Model):
    """One figure of the UNODC GLOTIP file.

    `value` is the parsed number (thousands separators removed); a suppressed figure ('<5')
    keeps `value` empty, `suppressed` true and `below` = 5: it is a small count, not zero.
    No unique key: the file repeats (country, indicator, dimension, category, sex, age, year) for
    some 'Other' sexes and 'Other forms of exploitation', whose finer labels it does not carry.
    """

    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="+")
    iso3 = models.CharField(_("code (ISO 3166 alpha-3 or UNODC area)"), max_length=32)
    country = models.CharField(_("country"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    subregion = models.CharField(_("subregion"), max_length=100, blank=True)
    indicator = models.CharField(_("indicator"), max_length=100)
    dimension = models.CharField(_("dimension"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=32, blank=True)
    age = models.CharField(_("age"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.CharField(_("unit of measurement"), max_length=64, blank=True)
    raw_value = models.CharField(_("value as published"), max_length=32)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed"), default=False)
    below = models.PositiveIntegerField(_("suppressed below"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["dataset", "iso3", "indicator"], name="exchange_unodc_country"),
            models.Index(
                fields=["dataset", "subregion", "indicator"], name="exchange_unodc_subreg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iso3} {self.indicator} {self.year}: {self.raw_value}"


# --- HTCDS import -------------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped: the file could not be read")


class ImportBatch(BaseModel):
    """One uploaded HTCDS file being imported into an organisation's people and cases.

    One batch per (organisation, file content): uploading the same file again finds this batch
    and continues it, so a file is never imported twice. The file itself is kept only until
    the import finishes (it holds names), then emptied; its SHA-256 stays.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8)  # "csv" or "xlsx"
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = models.BinaryField(_("file content"), blank=True, default=b"", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows already imported"), default=0)
    # File-level notes: unknown columns, columns recognised but not imported.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    file_error = models.TextField(_("why the file could not be read"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Whoever processes the batch holds it until this moment (renewed as it goes); a lease
    # left over by a stopped server simply expires, and the next request resumes the batch.
    lease_until = models.DateTimeField(_("being processed until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HTCDS import")
        verbose_name_plural = _("HTCDS imports")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="exchange_import_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.rows_done / self.total_rows))


class RowOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Not imported: errors")
    DUPLICATE = "duplicate", _("Not imported: already imported")


class ImportedRow(models.Model):
    """The outcome of one row of a batch: written once, in the row's own transaction.

    Its (batch, row) key is what makes an import resumable and exactly-once: a row that has
    one is never processed again. A row carrying an external id (cas_CaseNumber) is imported
    at most once per organisation, whichever file brings it.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    row = models.PositiveIntegerField(_("row in the file"))
    external_id = models.CharField(_("external identifier"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=RowOutcome.choices)
    # [{"column": "prs_Birthdate", "message": "..."}]; warnings carry "level": "warning".
    errors = models.JSONField(_("errors"), default=list, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "row"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row"], name="exchange_import_row_once"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=models.Q(outcome="imported") & ~models.Q(external_id=""),
                name="exchange_import_external_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.outcome}"
