from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.care.forms import AssessmentForm
from ctip.places.models import Country

from .models import Readiness, ReintegrationOption, ReturnDirection, ReturnStatus
from .services import follow_up_months

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TRISTATE = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class ReturnForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=ReturnDirection.choices)
    country = forms.ModelChoiceField(
        label=_("Other country"), queryset=Country.objects.exclude(code="KH")
    )
    sending_authority = forms.CharField(
        label=_("Sending authority"), max_length=200, required=False
    )
    sending_organisation = forms.CharField(
        label=_("Sending organisation"), max_length=200, required=False
    )
    receiving_authority = forms.CharField(
        label=_("Receiving authority"), max_length=200, required=False
    )
    receiving_organisation = forms.CharField(
        label=_("Receiving organisation"), max_length=200, required=False
    )
    crossing_point = forms.CharField(label=_("Border crossing or airport"), max_length=200)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE)
    returned_on = forms.DateField(label=_("Actual date"), widget=DATE, required=False)
    documents = forms.CharField(
        label=_("Travel and identity documents"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    escort = forms.CharField(label=_("Escort"), max_length=200, required=False)
    family_traced = forms.BooleanField(label=_("Family traced"), required=False)
    home_assessed_on = forms.DateField(
        label=_("Home assessment done on"), widget=DATE, required=False
    )
    home_assessment = forms.CharField(
        label=_("Home assessment findings"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=ReturnStatus.choices)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReturnEditForm(ReturnForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Direction and country are what the return is; a different one is a new return.
        del self.fields["direction"]
        del self.fields["country"]


class PlanForm(forms.Form):
    option = forms.ChoiceField(label=_("Option"), choices=ReintegrationOption.choices)
    destination = forms.CharField(label=_("Where the survivor will live"), max_length=300)
    caregiver = forms.CharField(label=_("Caregiver"), max_length=200, required=False)
    family_readiness = forms.TypedChoiceField(
        label=_("Family readiness"), choices=Readiness.choices, coerce=int
    )
    community_readiness = forms.TypedChoiceField(
        label=_("Community readiness"), choices=Readiness.choices, coerce=int
    )
    readiness_notes = forms.CharField(
        label=_("Readiness assessment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    assessed_on = forms.DateField(
        label=_("Readiness assessed on"), widget=DATE, initial=timezone.localdate
    )
    follow_up = forms.CharField(
        label=_("Follow-up visits (months after reintegration)"),
        initial=lambda: ", ".join(str(m) for m in follow_up_months()),
    )

    def clean_follow_up(self) -> list[int]:
        try:
            return [int(p) for p in self.cleaned_data["follow_up"].replace(",", " ").split()]
        except ValueError:
            raise forms.ValidationError(_("Give months as numbers, e.g. 1, 3, 6, 12.")) from None


class FollowUpForm(AssessmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    living_where_planned = forms.ChoiceField(
        label=_("Living where planned"), choices=TRISTATE, required=False
    )
    in_school_or_work = forms.ChoiceField(
        label=_("In school or work"), choices=TRISTATE, required=False
    )
    visit_notes = forms.CharField(
        label=_("Visit notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @staticmethod
    def tristate(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(label=_("What you found"), widget=forms.Textarea(attrs={"rows": 2}))


class ReintegrationDecisionForm(forms.Form):
    """The reintegration decision: final, so it takes the date the child moved in and an
    explicit confirmation."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reintegrated_on = forms.DateField(
        label=_("Date the child moved in"),
        widget=DATE,
        error_messages={"required": _("Give the date the child moved in.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm the reintegration: the current placement ends on this date and "
            "follow-up visits are scheduled"
        ),
        error_messages={"required": _("Confirm the reintegration decision.")},
    )

    def clean_reintegrated_on(self):
        day = self.cleaned_data["reintegrated_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("This date cannot be in the future."))
        return day
