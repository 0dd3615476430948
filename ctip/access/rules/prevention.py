"""Access rules for vulnerability assessments, programmes, clubs, trainings, campaigns (issue 7).

Prevention officers see their own organisation's records. Statistics officers hold
`prevention.counts`, which opens sessions, attendances, trainings, participants and campaigns
of every organisation (and assessments, whose confidential fields they cannot read) to the
aggregate selectors of `ctip.prevention.selectors` only: no page or API that returns rows accepts
that permission, and members (names of children) and assessment factors stay closed to it.
"""

from .base import BASE_FIELDS as _BASE
from .base import C, N, Rule, everything, own_organisation

_VIEW = "prevention.view"
_MANAGE = "prevention.manage"
_ASSESS = "prevention.assess"
_COUNTS = "prevention.counts"

RULES: dict[str, Rule] = {
    # Reference data: the indicators and their weights are public knowledge within CTIP.
    "prevention.Indicator": Rule(
        scopes=[(_VIEW, everything), (_ASSESS, everything), (_COUNTS, everything)],
        fields={
            "id": N,
            "code": N,
            "label": N,
            "label_km": N,
            "weight": N,
            "position": N,
            "is_active": N,
        },
    ),
    # Statistics officers count assessments by level and referral (never read one: their
    # roles hold no confidential sensitivity, and no page or API listing rows accepts counts).
    "prevention.VulnerabilityAssessment": Rule(
        scopes=[(_ASSESS, own_organisation()), (_COUNTS, everything)],
        fields=_BASE
        | {
            "organisation": N,
            "subject": N,
            "subject_name": C,
            "child_sex": N,
            "child_birth_year": C,
            # A village alone does not point at a household; lists show it to find one.
            "village": N,
            "assessed_on": N,
            "notes": C,
            "score": N,
            "level": N,
            "status": N,
            "referred_programme": N,
            "referral_reason": C,
            "referred_at": N,
            "referred_by": N,
            "intake_report_uuid": N,
        },
        change_permissions=(_ASSESS,),
    ),
    # Which risk factors a household has (HIV, violence, a child exploited before) is
    # confidential in itself.
    "prevention.AssessmentFactor": Rule(
        scopes=[(_ASSESS, own_organisation("assessment__organisation"))],
        fields={"id": N, "assessment": N, "indicator": C, "weight": C},
    ),
    "prevention.Programme": Rule(
        scopes=[(_VIEW, own_organisation()), (_ASSESS, own_organisation())],
        fields=_BASE
        | {
            "organisation": N,
            "name": N,
            "name_km": N,
            "kind": N,
            "target_group": N,
            "provinces": N,
            "description": N,
            "start_date": N,
            "end_date": N,
            "is_active": N,
        },
        change_permissions=(_MANAGE,),
    ),
    "prevention.Group": Rule(
        scopes=[(_VIEW, own_organisation("programme__organisation"))],
        fields=_BASE
        | {
            "programme": N,
            "name": N,
            "village": N,
            "meeting_place": N,
            "facilitators": N,
            "is_active": N,
        },
        change_permissions=(_MANAGE,),
    ),
    # Members are children without a case: the officer running the club needs their names to
    # tick them; nobody else does.
    "prevention.Member": Rule(
        scopes=[(_VIEW, own_organisation("group__programme__organisation"))],
        fields=_BASE
        | {
            "group": N,
            "name": N,
            "sex": N,
            "birth_year": N,
            "age_band": N,
            "village": N,
            "walk_in": N,
            "is_active": N,
            "left_on": N,
            # Why a child left a club can say a lot about their family: confidential.
            "left_reason": C,
        },
        change_permissions=(_MANAGE,),
    ),
    "prevention.Session": Rule(
        scopes=[(_VIEW, own_organisation("programme__organisation")), (_COUNTS, everything)],
        fields=_BASE
        | {
            "programme": N,
            "group": N,
            "topic": N,
            "date": N,
            "village": N,
            "place": N,
            "facilitator": N,
            "unregistered_girls": N,
            "unregistered_boys": N,
            "unregistered_women": N,
            "unregistered_men": N,
            "attendance_taken_at": N,
        },
        change_permissions=(_MANAGE,),
    ),
    "prevention.Attendance": Rule(
        scopes=[
            (_VIEW, own_organisation("session__programme__organisation")),
            (_COUNTS, everything),
        ],
        fields={"id": N, "session": N, "member": N},
    ),
    "prevention.Training": Rule(
        scopes=[(_VIEW, own_organisation()), (_COUNTS, everything)],
        fields=_BASE
        | {
            "organisation": N,
            "title": N,
            "topics": N,
            "start_date": N,
            "end_date": N,
            "province": N,
            "place": N,
        },
        change_permissions=(_MANAGE,),
    ),
    "prevention.TrainingParticipant": Rule(
        scopes=[
            (_VIEW, own_organisation("training__organisation")),
            (_COUNTS, everything),
        ],
        fields={
            "id": N,
            "training": N,
            "name": N,
            "sex": N,
            "institution": N,
            "position": N,
            "pre_score": N,
            "post_score": N,
        },
    ),
    "prevention.Campaign": Rule(
        scopes=[(_VIEW, own_organisation()), (_COUNTS, everything)],
        fields=_BASE
        | {
            "organisation": N,
            "name": N,
            "message": N,
            "channel": N,
            "start_date": N,
            "end_date": N,
            "provinces": N,
            "places": N,
            "estimated_reach": N,
            "reach_method": N,
        },
        change_permissions=(_MANAGE,),
    ),
}
