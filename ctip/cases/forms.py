from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import readable_fields, visible_to
from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Role
from ctip.people.models import Person
from ctip.places.models import Country, Province

from . import vocabulary as v
from .models import (
    Case,
    CaseSource,
    CaseStatus,
    ClosureCategory,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    NoteKind,
)
from .services import PROFILE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _staff(organisation_id: int, *roles: str):
    return User.objects.filter(
        organisation_id=organisation_id, is_active=True, role_assignments__role__in=roles
    ).distinct()


class CaseOpenForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Survivor"), queryset=Person.objects.none())
    source = forms.ChoiceField(label=_("Opened from"), choices=CaseSource.choices)
    source_reference = forms.CharField(
        label=_("Reference of the hand-off or referral"), max_length=100, required=False
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE, initial=timezone.localdate)
    case_worker = forms.ModelChoiceField(label=_("Case worker"), queryset=User.objects.none())
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = visible_to(user, Person).order_by(
            "family_name", "given_name"
        )
        self.fields["case_worker"].queryset = _staff(
            user.organisation_id, Role.CASE_WORKER, Role.CASE_SUPERVISOR
        )
        self.fields["case_worker"].initial = user.pk
        self.fields["supervisor"].queryset = _staff(user.organisation_id, Role.CASE_SUPERVISOR)


class CaseProfileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    case_worker = forms.ModelChoiceField(label=_("Case worker"), queryset=User.objects.none())
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=User.objects.none(), required=False
    )
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"),
        choices=[("", "—"), *v.TraffickingStatus.choices],
        required=False,
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"),
        choices=v.ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sexual_exploitation_types = forms.MultipleChoiceField(
        label=_("Types of sexual exploitation"),
        choices=v.SexualExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    forced_labour_industry = forms.ChoiceField(
        label=_("Forced labour industry"),
        choices=[("", "—"), *v.LabourIndustry.choices],
        required=False,
    )
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=v.MeansOfControl.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment"),
        choices=v.RecruitmentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruiter_relation = forms.ChoiceField(
        label=_("Relationship to the recruiter"),
        choices=[("", "—"), *v.RecruiterRelation.choices],
        required=False,
    )
    age_when_trafficked = forms.IntegerField(
        label=_("Age when trafficked"), min_value=0, max_value=100, required=False
    )
    exploitation_started_on = forms.DateField(
        label=_("Exploitation began"), widget=DATE, required=False
    )
    exploitation_ended_on = forms.DateField(
        label=_("Exploitation ended"), widget=DATE, required=False
    )
    destination_countries = forms.ModelMultipleChoiceField(
        label=_("Destination countries"),
        queryset=Country.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    abuse_narrative = forms.CharField(
        label=_("Account of abuse"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    hiv_status = forms.ChoiceField(
        label=_("HIV status"), choices=[("", "—"), *v.HivStatus.choices], required=False
    )
    child_witnesses = forms.CharField(
        label=_("Identity of child witnesses"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, user, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = _staff(
            case.organisation_id, Role.CASE_WORKER, Role.CASE_SUPERVISOR
        )
        self.fields["supervisor"].queryset = _staff(case.organisation_id, Role.CASE_SUPERVISOR)
        # Only the fields the user may read are offered for writing.
        allowed = set(readable_fields(user, Case, PROFILE_FIELDS)) | {"version"}
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def values(self) -> dict:
        data = {k: val for k, val in self.cleaned_data.items() if k != "version"}
        for name in ("trafficking_status", "forced_labour_industry", "recruiter_relation"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    @staticmethod
    def initial_for(case: Case) -> dict:
        initial = {name: getattr(case, name) for name in PROFILE_FIELDS}
        initial["destination_countries"] = list(case.destination_countries.all())
        initial["version"] = case.version
        return initial


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=CaseStatus.choices)


class ClosureRequestForm(forms.Form):
    category = forms.ChoiceField(label=_("Why the case closes"), choices=ClosureCategory.choices)
    reason = forms.CharField(
        label=_("Reason for closure"), widget=forms.Textarea(attrs={"rows": 3})
    )
    comment = forms.CharField(
        label=_("Comment for the supervisor"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Send back"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner organisation (for sharing)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    guardian = forms.ModelChoiceField(
        label=_("Guardian"), queryset=Person.objects.none(), required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Method"), choices=ConsentMethod.choices)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=case.organisation_id
        )
        self.fields["guardian"].queryset = Person.objects.filter(
            pk__in=case.person.family_links.filter(is_guardian=True).values("relative_id")
        )


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # Final: from that day the consent no longer counts (referrals and sharing stop needing it).
    confirm = forms.BooleanField(
        label=_("I confirm: from that day this consent no longer counts. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    happened_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))
    is_sensitive = forms.BooleanField(
        label=_("Sensitive: only roles cleared for restricted data may read it"), required=False
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    is_visit = forms.BooleanField(label=_("Follow-up visit"), required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    remind_on = forms.DateField(label=_("Remind on"), widget=DATE, required=False)
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _staff(
            case.organisation_id, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.SHELTER_MANAGER
        )


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("Stage"), choices=v.EventType.choices)
    happened_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), required=False
    )
    province = forms.ModelChoiceField(
        label=_("Province (Cambodia)"), queryset=Province.objects.all(), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    restrict_to_assigned = forms.BooleanField(
        label=_("Case workers see only the cases assigned to them"), required=False
    )
    care_plan_approval = forms.BooleanField(
        label=_("Care plans need supervisor approval"), required=False
    )
    guardian_required_under = forms.IntegerField(
        label=_("A guardian consents for children under (years)"), min_value=0, max_value=21
    )
    child_assent_from = forms.IntegerField(
        label=_("Children also give their own assent from age"), min_value=0, max_value=21
    )
