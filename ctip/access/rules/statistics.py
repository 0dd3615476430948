"""Access rules for statistics, releases and data exchange (issue 8)."""

from ctip.accounts.roles import Perm

from .base import N, Rule, everything

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
