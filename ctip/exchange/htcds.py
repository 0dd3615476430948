"""Export of case data in the Human Trafficking Case Data Standard 2.0 (IOM, CC BY 4.0).

Field names and value names are HTCDS's (field_standards_2.0.csv); CTIP's trafficking profile
already stores HTCDS value names (ctip/cases/vocabulary.py), so most fields map one-to-one.
`MAPPING` documents every exported field and the CTIP field it comes from; `NOT_FILLED` lists
the HTCDS fields CTIP leaves empty, and why.

Only cases the user may see are exported (`cases_visible_to`, own organisation), only those whose
survivor gave a sharing consent that is not withdrawn, and only the columns whose CTIP fields
the user may read (a column is dropped whole when its field is above the user's sensitivity).
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import can, readable_fields
from ctip.accounts.roles import Perm
from ctip.core.spreadsheets import CsvDictWriter

GENDER = {"f": "Feminine", "m": "Masculine", "x": "NonConforming", "u": "NonSpecifiedUnknown"}
CASE_STATUS = {
    "open": "Active",
    "active": "Active",
    "reintegration": "Active",
    "follow_up": "FollowUp",
    "closed": "Closed",
}


def _join(values) -> str:
    return ";".join(sorted(v for v in values if v))


@dataclass(frozen=True)
class Field:
    htcds: str
    model: str  # "people.Person" or "cases.Case": whose access rule decides readability
    source: str  # the CTIP field read
    get: Callable
    note: Promise | str = ""


def _relation(case) -> str:
    from ctip.cases.vocabulary import htcds_relation

    return htcds_relation(case.recruiter_relation) if case.recruiter_relation else ""


MAPPING: list[Field] = [
    Field("prs_FirstName", "people.Person", "given_name", lambda c: c.person.given_name),
    Field("prs_SecondName", "people.Person", "family_name", lambda c: c.person.family_name),
    Field(
        "prs_Birthdate",
        "people.Person",
        "date_of_birth",
        lambda c: c.person.date_of_birth.isoformat() if c.person.date_of_birth else "",
    ),
    Field("prs_Gender", "people.Person", "sex", lambda c: GENDER.get(c.person.sex, "")),
    Field(
        "prs_Citizenship",
        "people.Person",
        "citizenship",
        lambda c: _join(x.code for x in c.person.citizenship.all()),
        _("ISO 3166 alpha-2 codes, joined by ';'."),
    ),
    Field("cas_Status", "cases.Case", "status", lambda c: CASE_STATUS.get(c.status, "")),
    Field("cas_ReasonForCaseClosure", "cases.Case", "closure_reason", lambda c: c.closure_reason),
    Field(
        "cas_CaseOwner",
        "cases.Case",
        "organisation",
        lambda c: c.organisation.name,
        _("The owning organisation (CTIP does not export case workers' names)."),
    ),
    Field(
        "vic_TraffickingStatus", "cases.Case", "trafficking_status", lambda c: c.trafficking_status
    ),
    Field(
        "vic_RelationshipToTrafficker",
        "cases.Case",
        "recruiter_relation",
        _relation,
        _("CTIP's finer relation, mapped to Familial / Acquainted / Unaquainted."),
    ),
    Field(
        "vic_AgeWhenTrafficked",
        "cases.Case",
        "age_when_trafficked",
        lambda c: "" if c.age_when_trafficked is None else c.age_when_trafficked,
    ),
    Field(
        "vic_MethodOfRecruitment",
        "cases.Case",
        "recruitment_methods",
        lambda c: _join(c.recruitment_methods or []),
    ),
    Field(
        "vic_MethodsOfControl",
        "cases.Case",
        "means_of_control",
        lambda c: _join(c.means_of_control or []),
        _("RestrictsMovement is defined by HTCDS but missing from its picklist."),
    ),
    Field(
        "vic_TypeOfExploitation",
        "cases.Case",
        "exploitation_types",
        lambda c: _join(c.exploitation_types or []),
        _("ForcedCriminality (scam compounds) is a CTIP addition."),
    ),
    Field(
        "vic_ForcedLabourIndustry",
        "cases.Case",
        "forced_labour_industry",
        lambda c: c.forced_labour_industry,
    ),
    Field(
        "vic_TypeOfSexExploitation",
        "cases.Case",
        "sexual_exploitation_types",
        lambda c: _join(c.sexual_exploitation_types or []),
    ),
    Field(
        "hte_Country",
        "cases.Case",
        "destination_countries",
        lambda c: _join(x.code for x in c.destination_countries.all()),
        _("Destination countries of exploitation; CTIP keeps dated events apart."),
    ),
    Field(
        "con_Consent",
        "cases.Case",
        "status",
        lambda c: True,
        _("Always true: only cases with a sharing consent are exported."),
    ),
]

NOT_FILLED: dict[str, Promise] = {
    "prs_Salutation": _("Not recorded: not needed to protect a child."),
    "prs_MiddleName": _("Khmer names have no middle name; the full name is in given and family."),
    "prs_Title": _("Not recorded."),
    "prs_Email": _("Contact details of survivors are never exported."),
    "prs_HomePhone": _("Contact details of survivors are never exported."),
    "prs_MobilePhone": _("Contact details of survivors are never exported."),
    "prs_MailingStreet": _(
        "Where a survivor lives is how a trafficker finds them: never exported."
    ),
    "prs_MailingCity": _("Where a survivor lives is how a trafficker finds them: never exported."),
    "prs_MailingState": _("Where a survivor lives is how a trafficker finds them: never exported."),
    "prs_MailingCountry": _(
        "Where a survivor lives is how a trafficker finds them: never exported."
    ),
    "prs_MailingPostalCode": _("Cambodian villages have no postal codes."),
    "prs_IdentityNumber": _("Identity documents are never exported."),
    "vic_TraffickingStatusDecisionMakingOrg": _("Not recorded apart from the owning organisation."),
    "vic_Vulnerabilities": _("Held in assessments, whose instruments differ from HTCDS's list."),
    "vic_DetailsOfVulnerabilities": _("Free text about a child: never exported."),
    "vic_LocationOfRecruitment": _("CTIP records places, not organisations, for recruitment."),
    "vic_LocationOfExploitation": _("CTIP records places, not organisations, for exploitation."),
    "cas_ReferringOrganisation": _("Referrals are exchanged through CTIP's referral flow."),
    "cas_ReferredOrganisation": _("Referrals are exchanged through CTIP's referral flow."),
}

# Column names the toolkits spell differently from the spreadsheet (see shared/data/README.md):
# an importer reads both; the export writes the spreadsheet's.
VARIANT_SPELLINGS = {
    # The ODK XLSForm (htcds_xlsform.xlsx, sheet "survey").
    "prs_First_Name": "prs_FirstName",
    "prs_Second_Name": "prs_SecondName",
    "vic_Methods_of_Control": "vic_MethodsOfControl",
    # The Excel template (HTCDS_Excel_Spreadsheet_v2.0.xlsx, header row).
    "vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg",
}


def canonical_column(name: str) -> str:
    """The spreadsheet's spelling of an HTCDS column name, whichever toolkit wrote it."""
    name = name.replace("\ufeff", "").strip()  # a byte-order mark Excel leaves on CSV headers
    return VARIANT_SPELLINGS.get(name, name)


@dataclass
class Export:
    columns: list[str]
    rows: list[dict]
    dropped: list[str]  # columns the user may not read

    def to_csv(self) -> str:
        out = io.StringIO()
        # Names are typed by people: a formula in one must not run in the ministry's sheet.
        writer = CsvDictWriter(out, fieldnames=self.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps(
            {"standard": "HTCDS 2.0", "records": self.rows}, ensure_ascii=False, indent=1
        )


def htcds_export(*, user) -> Export:
    """The user's organisation's consented cases in HTCDS 2.0 (needs `exchange.export`)."""
    from ctip.cases.models import Case, Consent, ConsentPurpose
    from ctip.cases.selectors import owned_cases
    from ctip.people.models import Person

    if not can(user, Perm.EXCHANGE_EXPORT):
        raise PermissionDenied
    readable = {
        "people.Person": set(readable_fields(user, Person)),
        "cases.Case": set(readable_fields(user, Case)),
    }
    fields = [f for f in MAPPING if f.source in readable[f.model]]
    dropped = [f.htcds for f in MAPPING if f not in fields]
    consented = Consent.objects.filter(
        case=OuterRef("pk"), purpose=ConsentPurpose.SHARING, withdrawn_on__isnull=True
    )
    cases = (
        owned_cases(user)
        .filter(Exists(consented))
        .select_related("person", "organisation")
        .prefetch_related("destination_countries", "person__citizenship")
        .order_by("opened_on", "pk")
    )
    rows = [{f.htcds: f.get(case) for f in fields} for case in cases]
    return Export(columns=[f.htcds for f in fields], rows=rows, dropped=dropped)
