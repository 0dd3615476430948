"""The one place that maps CTIP's cases to the field names of each partner system, both ways.

Field names follow the partners' own APIs:

- **Primero v2 / CPIMS+** (`/api/v2/cases`, primeroIMS/primero `doc/api/cases`): a case is a flat
  JSON object: `name`, `name_first`, `name_last`, `sex`, `date_of_birth`, `age`,
  `location_current` (a location code), `protection_concerns` (values of the lookup
  `lookup-protection-concerns`), `status` (`open` / `closed`), `case_id_display`,
  `registration_date`.
- **OSCaR** (Children-in-Families/oscar-web, `OrganizationClientSerializer`): a client has
  `given_name`, `family_name`, `gender`, `date_of_birth`, `location_current_village_code`
  (NCDD village code) and `status` (`Referred` / `Accepted` / `Active` / `Exited`).
- **other**: CTIP's own field names, for a system that reads CTIP as it is.

Each `FieldMap` names the CTIP field it comes from and the model whose access rule decides who
may read it: a reader gets only the fields `readable_fields` allows, and a partner writes only
fields its user may read (the people services refuse the others).

What cannot be mapped (`NOT_MAPPED`) is listed per partner, with the reason.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ctip.cases.models import Case, CaseStatus

from .models import PartnerKind

# --- value lists --------------------------------------------------------------------------------

PRIMERO_SEX = {"f": "female", "m": "male", "x": "other"}  # "u" (unknown): sent as null
OSCAR_GENDER = {"f": "female", "m": "male", "x": "other", "u": "unknown"}

# CTIP statuses → Primero's two record states; OSCaR's client statuses.
PRIMERO_STATUS = {
    CaseStatus.OPEN: "open",
    CaseStatus.ACTIVE: "open",
    CaseStatus.REINTEGRATION: "open",
    CaseStatus.FOLLOW_UP: "open",
    CaseStatus.CLOSED: "closed",
}
OSCAR_STATUS = {
    CaseStatus.OPEN: "Accepted",
    CaseStatus.ACTIVE: "Active",
    CaseStatus.REINTEGRATION: "Active",
    CaseStatus.FOLLOW_UP: "Active",
    CaseStatus.CLOSED: "Exited",
}
# A status a partner sends that differs from what CTIP would send asks for this CTIP status.
# The case services decide whether the step is allowed (closing needs a supervisor's approval
# in CTIP, reopening a reason): the API never bypasses the case workflow.
PRIMERO_STATUS_WANTED = {"open": CaseStatus.ACTIVE, "closed": CaseStatus.CLOSED}
OSCAR_STATUS_WANTED = {
    "Referred": CaseStatus.OPEN,
    "Accepted": CaseStatus.OPEN,
    "Active": CaseStatus.ACTIVE,
    "Exited": CaseStatus.CLOSED,
}

# CTIP's exploitation types (HTCDS value names) → Primero's `lookup-protection-concerns`.
# Every CTIP case is a trafficking case: "slavery_sale_abduction" (Slavery / sale / abduction /
# trafficking / forced labor) is always sent; some forms add a finer concern.
PROTECTION_CONCERNS = {
    "SexualExploitation": ["sexual_exploitation"],
    "ChildLabour": ["hazardous_work"],
    "ForcedMarriage": ["child_marriage"],
}
TRAFFICKING_CONCERN = "slavery_sale_abduction"


def protection_concerns(case: Case) -> list[str]:
    """Primero's protection concerns for a case: trafficking, plus what its forms imply."""
    concerns = [TRAFFICKING_CONCERN]
    for kind in case.exploitation_types or []:
        for concern in PROTECTION_CONCERNS.get(kind, []):
            if concern not in concerns:
                concerns.append(concern)
    return concerns


def _age(case: Case):
    return case.person.age_on(timezone.localdate())


def _date(value) -> str | None:
    return value.isoformat() if value else None


# --- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldMap:
    partner: str  # the partner's field name
    model: str  # "people.Person" or "cases.Case": whose access rule decides readability
    source: str  # the CTIP field
    read: Callable[[Case], Any]  # CTIP → partner value
    writable: bool = True  # False: sent by CTIP, ignored when received
    note: Promise | str = ""


PERSON, CASE = "people.Person", "cases.Case"

FIELDS: dict[str, list[FieldMap]] = {
    PartnerKind.PRIMERO: [
        FieldMap(
            "name",
            PERSON,
            "given_name",
            lambda c: c.person.display_name,
            writable=False,
            note=_("Family name then given name; send name_first and name_last to change it."),
        ),
        FieldMap("name_first", PERSON, "given_name", lambda c: c.person.given_name),
        FieldMap("name_last", PERSON, "family_name", lambda c: c.person.family_name),
        FieldMap("sex", PERSON, "sex", lambda c: PRIMERO_SEX.get(c.person.sex)),
        FieldMap("date_of_birth", PERSON, "date_of_birth", lambda c: _date(c.person.date_of_birth)),
        FieldMap(
            "age",
            PERSON,
            "estimated_age",
            _age,
            note=_("Sent: age today. Received: the estimated age, when no date of birth."),
        ),
        FieldMap(
            "location_current",
            PERSON,
            "home_village",
            lambda c: c.person.home_village_id,
            note=_("The NCDD village code of the home village (CPIMS+ locations use NCDD)."),
        ),
        FieldMap(
            "protection_concerns",
            CASE,
            "exploitation_types",
            protection_concerns,
            writable=False,
            note=_("Derived from the forms of exploitation; coarser, so never read back."),
        ),
        FieldMap("status", CASE, "status", lambda c: PRIMERO_STATUS[c.status]),
        FieldMap("case_id_display", CASE, "number", lambda c: c.number, writable=False),
        FieldMap(
            "registration_date", CASE, "opened_on", lambda c: _date(c.opened_on), writable=False
        ),
    ],
    PartnerKind.OSCAR: [
        FieldMap("given_name", PERSON, "given_name", lambda c: c.person.given_name),
        FieldMap("family_name", PERSON, "family_name", lambda c: c.person.family_name),
        FieldMap("gender", PERSON, "sex", lambda c: OSCAR_GENDER.get(c.person.sex)),
        FieldMap("date_of_birth", PERSON, "date_of_birth", lambda c: _date(c.person.date_of_birth)),
        FieldMap(
            "location_current_village_code",
            PERSON,
            "home_village",
            lambda c: c.person.home_village_id,
        ),
        FieldMap("status", CASE, "status", lambda c: OSCAR_STATUS[c.status]),
    ],
    PartnerKind.OTHER: [
        FieldMap("given_name", PERSON, "given_name", lambda c: c.person.given_name),
        FieldMap("family_name", PERSON, "family_name", lambda c: c.person.family_name),
        FieldMap("name_km", PERSON, "name_km", lambda c: c.person.name_km),
        FieldMap("sex", PERSON, "sex", lambda c: c.person.sex),
        FieldMap("date_of_birth", PERSON, "date_of_birth", lambda c: _date(c.person.date_of_birth)),
        FieldMap("estimated_age", PERSON, "estimated_age", lambda c: c.person.estimated_age),
        FieldMap("home_village", PERSON, "home_village", lambda c: c.person.home_village_id),
        FieldMap("status", CASE, "status", lambda c: c.status),
        FieldMap("number", CASE, "number", lambda c: c.number, writable=False),
        FieldMap(
            "exploitation_types",
            CASE,
            "exploitation_types",
            lambda c: list(c.exploitation_types or []),
            writable=False,
        ),
    ],
}

NOT_MAPPED: dict[str, dict[str, Promise]] = {
    PartnerKind.PRIMERO: {
        "name_middle": _("Khmer names have no middle name."),
        "name_nickname": _("CTIP keeps aliases as confidential free text; not exchanged."),
        "protection_concerns (received)": _(
            "Primero's concerns are coarser than CTIP's forms of exploitation: never read back."
        ),
        "owned_by / assigned_user_names": _(
            "Users differ between systems; CTIP assigns its own case worker."
        ),
        "services_section, case_plan, incidents": _(
            "Care records stay in CTIP; exchanged through referrals, not this API."
        ),
        "abuse narrative, HIV status, child witnesses": _(
            "Restricted in CTIP: never leave it through this API."
        ),
    },
    PartnerKind.OSCAR: {
        "local_given_name / local_family_name": _(
            "CTIP keeps the Khmer name whole (name_km) and cannot split it."
        ),
        "external_id / mosvy_number": _("The partner's id travels in the envelope (external_id)."),
        "case_worker_name / case_worker_mobile": _("Staff contact details are not exchanged."),
        "services / program streams": _(
            "Care records stay in CTIP; exchanged through referrals, not this API."
        ),
        "referral_consent_form": _(
            "Consent is recorded in CTIP (who, when, how), not as an attached form."
        ),
    },
    PartnerKind.OTHER: {},
}

WANTED_STATUS: dict[str, dict[str, str]] = {
    PartnerKind.PRIMERO: PRIMERO_STATUS_WANTED,
    PartnerKind.OSCAR: OSCAR_STATUS_WANTED,
    PartnerKind.OTHER: {value: value for value in CaseStatus.values},
}


def fields_for(kind: str) -> list[FieldMap]:
    """The field maps of a partner kind."""
    return FIELDS[kind]


def readable_maps(kind: str, readable: dict[str, set[str]]) -> list[FieldMap]:
    """The field maps whose CTIP source the reader may read (`readable` by model label)."""
    return [f for f in FIELDS[kind] if f.source in readable[f.model]]


def to_partner(case: Case, maps: list[FieldMap]) -> dict:
    """One case in the partner's field names (only the given, readable, fields)."""
    return {f.partner: f.read(case) for f in maps}


# --- received values ----------------------------------------------------------------------------


def _reverse(table: dict[str, str]) -> dict[str, str]:
    return {partner: ctip for ctip, partner in table.items()}


def to_ctip(kind: str, record: dict) -> tuple[dict, str | None]:
    """A validated partner record → (person values in CTIP's names, wanted partner status).

    Only the keys present in `record` are returned, so an absent field is left as it is.
    The status stays in the partner's words: `wanted_status` decides what it asks of CTIP.
    """
    person: dict = {}
    names = {
        PartnerKind.PRIMERO: {"name_first": "given_name", "name_last": "family_name"},
        PartnerKind.OSCAR: {"given_name": "given_name", "family_name": "family_name"},
        PartnerKind.OTHER: {
            "given_name": "given_name",
            "family_name": "family_name",
            "name_km": "name_km",
        },
    }[kind]
    for partner, ctip in names.items():
        if partner in record:
            person[ctip] = (record[partner] or "").strip()
    sex_field = "gender" if kind == PartnerKind.OSCAR else "sex"
    if sex_field in record:
        value = record[sex_field]
        if kind == PartnerKind.PRIMERO:
            person["sex"] = _reverse(PRIMERO_SEX).get(value, "u") if value else "u"
        elif kind == PartnerKind.OSCAR:
            person["sex"] = _reverse(OSCAR_GENDER).get(value, "u") if value else "u"
        else:
            person["sex"] = value or "u"
    if "date_of_birth" in record:
        person["date_of_birth"] = record["date_of_birth"]
    age_field = {PartnerKind.PRIMERO: "age", PartnerKind.OTHER: "estimated_age"}.get(kind)
    # A partner's age is computed from the date of birth when it has one: it becomes CTIP's
    # estimate only for survivors without a date of birth.
    if age_field and age_field in record and not record.get("date_of_birth"):
        person["estimated_age"] = record[age_field]
    village_field = {
        PartnerKind.PRIMERO: "location_current",
        PartnerKind.OSCAR: "location_current_village_code",
        PartnerKind.OTHER: "home_village",
    }[kind]
    if village_field in record:
        person["home_village"] = record[village_field]  # a Village, or None (validated)
    return person, record.get("status")


def wanted_status(kind: str, case_status: str, partner_status: str | None) -> str | None:
    """The CTIP status a received partner status asks for; None when it asks for no change.

    The status CTIP itself would send for the case's current status asks for nothing, so a
    record read from CTIP and sent back unchanged changes nothing.
    """
    if partner_status is None:
        return None
    current = to_partner_status(kind, case_status)
    if partner_status == current:
        return None
    return WANTED_STATUS[kind].get(partner_status)


def to_partner_status(kind: str, case_status: str) -> str:
    if kind == PartnerKind.PRIMERO:
        return PRIMERO_STATUS[case_status]
    if kind == PartnerKind.OSCAR:
        return OSCAR_STATUS[case_status]
    return case_status


def status_choices(kind: str) -> list[str]:
    """The status values a partner of this kind may send."""
    return list(WANTED_STATUS[kind])


def partner_error_key(kind: str, ctip_field: str) -> str:
    """The partner's name for a CTIP field that a service refused (e.g. given_name →
    name_first for Primero); CTIP's name when the partner has none."""
    for f in FIELDS[kind]:
        if f.source == ctip_field and f.writable:
            return f.partner
    return ctip_field
