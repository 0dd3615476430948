"""Access rules for statistics, releases and data exchange (issue 8)."""

from ctip.accounts.roles import Perm

from .base import BASE_FIELDS, C, N, R, Rule, everything, own_organisation

# Reference data sets are published aggregates or synthetic records, never a person known to
# CTIP: every field is normal, and statistics officers (statistics.view) read all of them.
_REFERENCE_VIEW = [(Perm.STATISTICS_VIEW, everything)]

RULES: dict[str, Rule] = {
    "exchange.ReferenceDataset": Rule(
        scopes=_REFERENCE_VIEW,
        fields={
            f: N
            for f in (
                "id",
                "source",
                "version",
                "file_name",
                "sha256",
                "rows",
                "imported_at",
                "imported_by",
            )
        },
    ),
    "exchange.CtdcRecord": Rule(
        scopes=_REFERENCE_VIEW,
        fields={
            f: N
            for f in (
                "id",
                "dataset",
                "row",
                "year_register",
                "gender",
                "majority_status",
                "is_forced_labour",
                "is_sexual_exploit",
                "un_coo_region",
                "un_coe_region",
                "ip_exploiter",
                "ip_gender",
                "ip_age_broad",
                "ip_citizen_un_region",
                "ip_relation",
                "ip_pay_money",
                "ip_recruiter_broker",
                "ip_transaction_process",
                "ip_control_abuse_kidnap",
            )
        },
    ),
    "exchange.UnodcFigure": Rule(
        scopes=_REFERENCE_VIEW,
        fields={
            f: N
            for f in (
                "id",
                "dataset",
                "iso3",
                "country",
                "region",
                "subregion",
                "indicator",
                "dimension",
                "category",
                "sex",
                "age",
                "year",
                "unit",
                "raw_value",
                "value",
                "suppressed",
                "below",
                "source",
            )
        },
    ),
}
urlpatterns: list = []

# HTCDS imports: a batch and its rows are seen by their own organisation's importers only.
_IMPORTERS = [(Perm.EXCHANGE_IMPORT, own_organisation())]
RULES.update(
    {
        "exchange.ImportBatch": Rule(
            scopes=_IMPORTERS,
            fields=BASE_FIELDS
            | {
                "organisation": N,
                "uploaded_by": N,
                "file_name": C,  # a file may be named after the people it holds
                "file_format": N,
                "sha256": N,
                "content": R,  # the uploaded file itself: names, birthdates
                "status": N,
                "total_rows": N,
                "rows_done": N,
                "rows_imported": N,
                "rows_failed": N,
                "rows_skipped": N,
                "warnings": N,
                "file_error": N,
                "started_at": N,
                "finished_at": N,
                "lease_until": N,
            },
        ),
        "exchange.ImportedRow": Rule(
            scopes=_IMPORTERS,
            fields={
                "id": N,
                "batch": N,
                "organisation": N,
                "row": N,
                "external_id": C,  # another system's case number
                "outcome": N,
                "errors": C,  # may quote a value of the row (an unknown code, a bad date)
                "person": C,
                "case": C,
                "created_at": N,
            },
        ),
    }
)
