"""Forms of the prevention pages. They parse input only; the services hold the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.places.forms import VillageField
from ctip.places.models import Province

from .models import (
    AgeBand,
    AssessmentSubject,
    Channel,
    Institution,
    ProgrammeKind,
    Sex,
    TargetGroup,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _provinces_field(label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Province.objects.filter(is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )


class ProgrammeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    provinces = _provinces_field(_("Provinces"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE, required=False)
    end_date = forms.DateField(label=_("End date"), widget=DATE, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    village = VillageField(label=_("Village"))
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=200, required=False)
    facilitators = forms.CharField(label=_("Facilitators"), max_length=300, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_year = forms.IntegerField(
        label=_("Birth year"), min_value=1900, max_value=2100, required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age band (when the birth year is not known)"),
        choices=[("", "—"), *AgeBand.choices],
        required=False,
    )


class MemberLeaveForm(forms.Form):
    """Confirms that a member left their group, and when: the date is required."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    left_on = forms.DateField(
        label=_("Date they left the group"),
        widget=DATE,
        initial=timezone.localdate,
        error_messages={"required": _("Give the date they left the group.")},
    )
    reason = forms.CharField(
        label=_("Why they left (optional)"),
        max_length=200,
        required=False,
        help_text=_("e.g. moved to another village, went back to school elsewhere."),
    )


class SessionForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    group = forms.ChoiceField(label=_("Group"), required=False)
    village = VillageField(label=_("Village (leave empty to use the group's)"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    facilitator = forms.CharField(label=_("Facilitator"), max_length=200, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.uuid): g for g in groups}
        self.fields["group"].choices = [
            ("", _("None: a community session")),
            *[(key, g.name) for key, g in self.groups.items()],
        ]

    def clean_group(self):
        return self.groups.get(self.cleaned_data["group"])


class AssessmentForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Assessed"), choices=AssessmentSubject.choices, widget=forms.RadioSelect
    )
    subject_name = forms.CharField(
        label=_("Household or child"),
        max_length=200,
        help_text=_("A name to recognise them by, e.g. the head of household."),
    )
    child_sex = forms.ChoiceField(
        label=_("Sex of the child"), choices=[("", "—"), *Sex.choices], required=False
    )
    child_birth_year = forms.IntegerField(
        label=_("Birth year of the child"), min_value=1900, max_value=2100, required=False
    )
    village = VillageField(label=_("Village"))
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=timezone.localdate)
    indicators = forms.MultipleChoiceField(
        label=_("Risk factors found"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {i.code: i for i in indicators}
        self.fields["indicators"].choices = [
            (i.code, f"{i.label} (+{i.weight})") for i in indicators
        ]

    def values(self) -> dict:
        values = dict(self.cleaned_data)
        values["indicators"] = [self.indicators[c] for c in values["indicators"]]
        return values


class ReferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(
        label=_("Refer to"),
        choices=[
            ("programme", _("A prevention programme")),
            ("intake", _("Intake, as a report: the child is in danger now")),
        ],
        widget=forms.RadioSelect,
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(p.uuid): p for p in programmes}
        self.fields["programme"].choices = [
            ("", "—"),
            *[(k, p.name) for k, p in self.programmes.items()],
        ]

    def clean(self):
        data = super().clean()
        data["programme"] = self.programmes.get(data.get("programme") or "")
        if data.get("to") == "programme" and data["programme"] is None:
            self.add_error("programme", _("Choose the programme."))
        return data


class ReachForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE, required=False)
    end = forms.DateField(label=_("To"), widget=DATE, required=False)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(p.uuid): p for p in programmes}
        if self.programmes:
            self.fields["programme"].choices = [
                ("", _("All")),
                *[(k, p.name) for k, p in self.programmes.items()],
            ]
        else:
            # Statistics officers count across organisations and pick no programme.
            del self.fields["programme"]

    def clean_programme(self):
        return self.programmes.get(self.cleaned_data.get("programme") or "")


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topics = forms.CharField(
        label=_("Topics, one per line"), widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.filter(is_active=True).order_by("code")
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    institution = forms.ChoiceField(label=_("Institution"), choices=Institution.choices)
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    pre_score = forms.IntegerField(
        label=_("Pre-test score (%)"), min_value=0, max_value=100, required=False
    )
    post_score = forms.IntegerField(
        label=_("Post-test score (%)"), min_value=0, max_value=100, required=False
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    provinces = _provinces_field(_("Provinces"))
    places = forms.CharField(
        label=_("Places"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    estimated_reach = forms.IntegerField(label=_("Estimated reach"), min_value=0, initial=0)
    reach_method = forms.CharField(
        label=_("How the reach was estimated"), max_length=200, required=False
    )
