from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.intake.models import EstablishmentType
from ctip.people.models import Sex
from ctip.places.forms import PlaceFieldsMixin
from ctip.places.models import Country, District, Province

from .models import OperationStatus, ScreeningResult

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OperationForm(PlaceFieldsMixin, forms.Form):
    place_fields = {"province": "province", "district": "district"}

    planned_for = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all())
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    location_text = forms.CharField(label=_("Location"), max_length=300)
    # Blank until chosen: a default of "Brothel" was saved unread on operations elsewhere.
    establishment_type = forms.ChoiceField(
        label=_("Establishment"),
        choices=[("", _("Choose…"))] + [c for c in EstablishmentType.choices if c[0]],
        error_messages={"required": _("Choose the kind of establishment.")},
    )
    agencies = forms.CharField(label=_("Agencies involved"), max_length=500, required=False)
    reports = forms.ModelMultipleChoiceField(
        label=_("Reports that led to it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = reports
        self.fields["reports"].label_from_instance = lambda r: (
            f"{r.reference} · {r.get_urgency_display()} · {r.received_at:%Y-%m-%d}"
        )


class OperationStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=OperationStatus.choices)


class FoundPersonForm(forms.Form):
    """The minimum: what the person calls themselves, sex, apparent age, nationality."""

    given_name = forms.CharField(
        label=_("Name they give (romanised)"), max_length=100, required=False
    )
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    name_km = forms.CharField(label=_("Name in Khmer script"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    estimated_age = forms.IntegerField(
        label=_("Apparent age"), min_value=0, max_value=120, required=False
    )
    nationality = forms.ModelChoiceField(
        label=_("Nationality"), queryset=Country.objects.all(), required=False
    )
    languages = forms.CharField(
        label=_("Languages they speak"),
        max_length=200,
        required=False,
        help_text=_("e.g. Khmer, Vietnamese, Thai"),
    )
    circumstances = forms.CharField(label=_("Where and how found"), max_length=500, required=False)


class ScreeningForm(forms.Form):
    is_child = forms.BooleanField(label=_("Under 18 (or appears to be)"), required=False)
    commercial_sexual_exploitation = forms.BooleanField(
        label=_("In commercial sexual exploitation"), required=False
    )
    indicator_codes = forms.MultipleChoiceField(
        label=_("Indicators observed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("As the rule decides"))] + list(ScreeningResult.choices),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason for another result"), max_length=500, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_codes"].choices = [(i.code, i.text) for i in indicators]


class ScreeningReviseForm(ScreeningForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why revise?"), max_length=500)

    field_order = ["reason"]


class HandOffForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("Hand on to"), queryset=None)
    urgent_needs = forms.CharField(
        label=_("Urgent needs"),
        max_length=1000,
        required=False,
        help_text=_("Medical care, clothes, an interpreter, a family to trace…"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations


class HandOffDecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Decline"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    decided_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    confirm = forms.BooleanField(
        label=_("I confirm: the child is not coming to us."), required=False
    )

    def clean(self):
        data = super().clean()
        # Declining is final for this hand-off: it needs a reason, a date and a confirmation.
        if data.get("accept") is False:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the hand-off is declined."))
            if data.get("decided_on") is None:
                self.add_error("decided_on", _("Give the date of the decision."))
            if not data.get("confirm"):
                self.add_error(
                    "confirm", _("Tick the box to confirm that you decline the hand-off.")
                )
        return data


class InstrumentValidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Checked against"),
        max_length=500,
        help_text=_("E.g. the ILO brochure WCMS_105023, pages checked, by whom."),
    )
