from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.cases.models import Case
from ctip.places.models import Province

from .models import BandSex, DischargeReason, Facility, FacilityType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=FacilityType.choices)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    services = forms.CharField(
        label=_("Services on site"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    bands = forms.CharField(
        label=_("Places by sex and age"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('One band a line: sex (f, m or any), ages and places, e.g. "f 8-18 60".'),
    )

    def clean_bands(self) -> list[tuple[str, int, int, int]]:
        bands = []
        for line in self.cleaned_data["bands"].splitlines():
            if not line.strip():
                continue
            try:
                sex, ages, places = line.split()
                low, high = ages.split("-")
                band = (sex.lower(), int(low), int(high), int(places))
            except ValueError:
                raise forms.ValidationError(
                    _('Write each band as sex, ages and places, e.g. "f 8-18 60".')
                ) from None
            if band[0] not in BandSex.values:
                raise forms.ValidationError(_("Sex must be f, m or any."))
            bands.append(band)
        return bands


class AdmitForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none())
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DATE, initial=timezone.localdate)
    override_reason = forms.CharField(
        label=_("Reason for admitting past capacity (managers only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: c.number


class AdmitHandOffForm(forms.Form):
    """Admits a child handed on by the police to a bed in one of the organisation's homes."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    facility = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.none(),
        error_messages={"required": _("Choose the facility the child comes to.")},
    )
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DATE, initial=timezone.localdate)
    override_reason = forms.CharField(
        label=_("Reason for admitting past capacity (managers only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        only = list(facilities[:2])
        if len(only) == 1:
            self.fields["facility"].initial = only[0].pk


class DischargeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=DischargeReason.choices)
    discharged_on = forms.DateField(
        label=_("Discharged on"), widget=DATE, initial=timezone.localdate
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # Discharging frees the bed at once: the manager confirms it is meant.
    confirm = forms.BooleanField(
        label=_("I confirm: the child leaves the facility on this date."),
        error_messages={"required": _("Tick the box to confirm the discharge.")},
    )


class TransferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_facility = forms.ModelChoiceField(label=_("To facility"), queryset=Facility.objects.none())
    transferred_on = forms.DateField(
        label=_("Transferred on"), widget=DATE, initial=timezone.localdate
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for admitting past capacity (managers only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_facility"].queryset = facilities
