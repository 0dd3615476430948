"""Access rules for suspects, proceedings, evidence (issue 6).

- Investigators and legal officers (`justice.manage`) see the proceedings their organisation
  handles or represents the victims in, and everything under them, evidence included. Only an
  organisation that provides legal aid (`Organisation.provides_legal_aid`) represents victims:
  naming any other one opens nothing to it.
- Case workers and supervisors (`justice.view` only) see the proceedings in which one of their
  survivors (the person of a case they see, by the cases rule) is a victim, and of the victims
  only their own survivors.
- Statistics officers hold `justice.counts` only, which opens no record here: they read counts
  from `ctip.justice.selectors.annual_counts`, never a row.
- Evidence (`evidence.view`) follows the proceedings scope of `justice.manage`; every view of an
  item is a custody event (ctip/evidence/selectors.py).
- A witness's identity is restricted: others see the pseudonym and the support measures.
"""

from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, R, Rule, Scope, everything, visible_to


def _handling(path: str = "") -> Scope:
    """Records of proceedings handled, or represented, by the user's organisation."""
    prefix = f"{path}__" if path else ""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        # The representing side only while that organisation provides legal aid: a record
        # naming another organisation (by mistake, or before the service refused it) opens
        # nothing to it.
        return Q(**{f"{prefix}organisation_id": user.organisation_id}) | Q(
            **{
                f"{prefix}legal_organisation_id": user.organisation_id,
                f"{prefix}legal_organisation__provides_legal_aid": True,
            }
        )

    return scope


def _survivors(user):
    """The people whose cases the user sees: "their survivors" (cases.Case's own rule decides,
    including an organisation's restriction of case workers to their assigned cases)."""
    from ctip.cases.models import Case

    return visible_to(user, Case).values("person_id")


def _survivors_proceedings(user) -> Q | None:
    """Investigations in which one of the user's survivors is a victim."""
    from ctip.justice.models import InvestigationVictim

    ids = InvestigationVictim.objects.filter(person_id__in=_survivors(user)).values(
        "investigation_id"
    )
    return Q(pk__in=ids)


def _own_survivors(path: str) -> Scope:
    """Records whose `path` is one of the user's survivors."""

    def scope(user) -> Q | None:
        return Q(**{f"{path}_id__in": _survivors(user)})

    return scope


def _through(path: str) -> Scope:
    """Records whose `path` points at an investigation the user may see."""

    def scope(user) -> Q | None:
        from ctip.justice.models import Investigation

        return Q(**{f"{path}__in": visible_to(user, Investigation).values("pk")})

    return scope


_MANAGE = "justice.manage"
_VIEW = "justice.view"
_EVIDENCE = "evidence.view"


def _proceeding_rule(path: str, fields: dict) -> Rule:
    return Rule(
        scopes=[(_VIEW, _through(path))],
        fields=_BASE | fields,
        change_permissions=(_MANAGE,),
    )


RULES: dict[str, Rule] = {
    "justice.LawArticle": Rule(
        scopes=[("reference.view", everything)],
        fields=_BASE
        | {
            "article": N,
            "chapter": N,
            "offence": N,
            "offence_km": N,
            "summary": N,
            "penalty_min_years": N,
            "penalty_max_years": N,
            "aggravating": N,
            "confidence": N,
            "source": N,
            "is_active": N,
        },
        change_permissions=("reference.manage",),
    ),
    "justice.Investigation": Rule(
        scopes=[(_MANAGE, _handling()), (_VIEW, _survivors_proceedings)],
        fields=_BASE
        | {
            "organisation": N,
            "legal_organisation": N,
            "reference": N,
            "title": N,
            "opened_on": N,
            "source": N,
            "source_reference": N,
            "report": N,
            "operation": N,
            "case": N,
            "exploitation_form": N,
            "province": N,
            "status": N,
            "summary": C,
            "closed_on": N,
        },
        change_permissions=(_MANAGE,),
    ),
    "justice.InvestigationVictim": Rule(
        # Case workers see their own survivors in a proceeding, never the other victims.
        scopes=[
            (_MANAGE, _handling("investigation")),
            (_VIEW, _own_survivors("person")),
        ],
        fields=_BASE
        | {"investigation": N, "person": N, "exploitation_form": N, "age_at_exploitation": C},
        change_permissions=(_MANAGE,),
    ),
    "justice.Suspect": _proceeding_rule(
        "investigation",
        {"investigation": N, "person": N, "role": N, "role_details": C, "aliases": N},
    ),
    "justice.SuspectVictimRelation": Rule(
        scopes=[
            (_MANAGE, _handling("victim__investigation")),
            (_VIEW, _own_survivors("victim__person")),
        ],
        fields=_BASE | {"suspect": N, "victim": N, "relation": N},
        change_permissions=(_MANAGE,),
    ),
    "justice.Identifier": Rule(
        scopes=[(_VIEW, _through("uses__suspect__investigation"))],
        fields=_BASE | {"kind": N, "value": N, "normalised": N, "platform": N},
        change_permissions=(_MANAGE,),
    ),
    "justice.SuspectIdentifier": _proceeding_rule(
        "suspect__investigation",
        {"suspect": N, "identifier": N, "written_as": N, "note": C},
    ),
    "justice.Complaint": _proceeding_rule(
        "investigation",
        {"investigation": N, "filed_on": N, "filed_by": N, "filed_with": N, "notes": C},
    ),
    "justice.Arrest": _proceeding_rule(
        "suspect__investigation",
        {
            "suspect": N,
            "arrested_on": N,
            "agency": N,
            "place": N,
            "province": N,
            "notes": C,
        },
    ),
    "justice.Charge": _proceeding_rule(
        "suspect__investigation",
        {"suspect": N, "article": N, "charged_on": N, "notes": C},
    ),
    "justice.CourtCase": _proceeding_rule(
        "investigation",
        {
            "investigation": N,
            "court": N,
            "case_number": N,
            "filed_on": N,
            "defendants": N,
        },
    ),
    "justice.Hearing": _proceeding_rule(
        "court_case__investigation",
        {
            "court_case": N,
            "scheduled_for": N,
            "type": N,
            "status": N,
            "outcome": N,
            "postponement_reason": N,
            "postponed_to": N,
        },
    ),
    "justice.WitnessSupport": Rule(
        scopes=[
            (_MANAGE, _handling("hearing__court_case__investigation")),
            (_VIEW, _own_survivors("witness")),
        ],
        fields=_BASE
        | {
            "hearing": N,
            "witness": R,
            "pseudonym": N,
            "prepared": N,
            "accompanied": N,
            "video_testimony": N,
            "closed_hearing": N,
            "transport": N,
            "notes": C,
        },
        change_permissions=(_MANAGE,),
    ),
    "justice.Verdict": _proceeding_rule(
        "court_case__investigation",
        {
            "court_case": N,
            "defendant": N,
            "outcome": N,
            "decided_on": N,
            "sentence_months": N,
            "fine_riel": N,
            "compensation_ordered_riel": N,
            "compensation_paid_riel": N,
        },
    ),
    "justice.Appeal": _proceeding_rule(
        "verdict__court_case__investigation",
        {
            "verdict": N,
            "filed_on": N,
            "filed_by": N,
            "court": N,
            "outcome": N,
            "decided_on": N,
        },
    ),
    "evidence.EvidenceItem": Rule(
        scopes=[(_EVIDENCE, _handling("investigation"))],
        fields=_BASE
        | {
            "investigation": N,
            "organisation": N,
            "kind": N,
            "title": N,
            "description": C,
            "collected_on": N,
            "collected_at": N,
            "file_path": N,
            "original_name": N,
            "content_type": N,
            "size": N,
            "sha256": N,
            "corrects": N,
            "correction_reason": N,
        },
    ),
    "evidence.CustodyEvent": Rule(
        scopes=[(_EVIDENCE, _handling("item__investigation"))],
        fields={
            "id": N,
            "item": N,
            "seq": N,
            "created_at": N,
            "action": N,
            "actor": N,
            "actor_label": N,
            "location": N,
            "reason": N,
            "handed_to": N,
            "prev_hash": N,
            "hash": N,
            "key_id": N,
        },
    ),
    "evidence.MedicalCertificate": Rule(
        scopes=[(_EVIDENCE, _handling("item__investigation"))],
        fields=_BASE
        | {
            "item": N,
            "examined_person": C,
            "doctor_name": N,
            "facility": N,
            "examined_at": N,
            "requested_by": N,
            "consent_given": N,
            "consent_by": N,
            "estimated_age_min": N,
            "estimated_age_max": N,
            "age_method": N,
            "physical_findings": C,
            "genital_findings": R,
            "injuries": C,
            "samples_taken": C,
            "conclusion": C,
            "content_sha256": N,
        },
    ),
}
