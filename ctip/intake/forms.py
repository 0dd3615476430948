from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.places.forms import PlaceFieldsMixin
from ctip.places.models import District, Province

from .models import EstablishmentType, Outcome, SexDescribed, Source, Urgency

# "Unknown" first, so that an untouched form never says "Brothel" (the first type).
ESTABLISHMENT_CHOICES = [("", EstablishmentType.UNKNOWN.label)] + [
    c for c in EstablishmentType.choices if c[0]
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(PlaceFieldsMixin, forms.Form):
    """The hotline console: one page, in the order a call goes."""

    place_fields = {"province": "province", "district": "district"}

    source = forms.ChoiceField(
        label=_("How it came in"),
        choices=[(v, lbl) for v, lbl in Source.choices if v not in (Source.WEB, Source.SMS)],
        initial=Source.HOTLINE,
    )
    narrative = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}),
    )
    flag_child = forms.BooleanField(label=_("A child under 18 is involved"), required=False)
    flag_sexual_exploitation = forms.BooleanField(label=_("Sexual exploitation"), required=False)
    flag_held_now = forms.BooleanField(label=_("Someone is held now"), required=False)
    flag_injury = forms.BooleanField(label=_("Injury or violence"), required=False)
    flag_moving_soon = forms.BooleanField(label=_("About to be moved"), required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.select_related("province"), required=False
    )
    location_text = forms.CharField(label=_("Place, in words"), max_length=300, required=False)
    establishment_type = forms.ChoiceField(
        label=_("Establishment"), choices=ESTABLISHMENT_CHOICES, required=False
    )
    children_count = forms.IntegerField(
        label=_("Number of children"), min_value=0, max_value=500, required=False
    )
    ages_described = forms.CharField(label=_("Approximate ages"), max_length=100, required=False)
    sex_described = forms.ChoiceField(
        label=_("Sex of those described"),
        choices=SexDescribed.choices,
        initial=SexDescribed.UNKNOWN,
    )
    caller_anonymous = forms.BooleanField(
        label=_("Caller stays anonymous"), required=False, initial=True
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=200, required=False)
    caller_phone = forms.CharField(
        label=_("Caller's phone or contact"), max_length=100, required=False
    )
    caller_may_contact = forms.BooleanField(
        label=_("Caller agrees to be contacted"), required=False
    )
    urgency = forms.ChoiceField(
        label=_("Your urgency call"),
        choices=[("", _("As the rules suggest"))] + list(Urgency.choices),
        required=False,
        help_text=_("Leave it to the rules, or choose and give a reason."),
    )
    urgency_reason = forms.CharField(
        label=_("Reason for another urgency"), max_length=500, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The district list is long: show it with its province, so typing finds it.
        self.fields["district"].label_from_instance = lambda d: f"{d.display_name} ({d.province})"

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("caller_anonymous"):
            data["caller_name"] = ""
        return data


class TipForm(forms.Form):
    """The public tip form: few fields, generous limits, and a honeypot for robots."""

    narrative = forms.CharField(
        label=_("What did you see or hear?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    location_text = forms.CharField(
        label=_("Where? (village, street, name of the place)"), max_length=300, required=False
    )
    establishment_type = forms.ChoiceField(
        label=_("What kind of place?"), choices=ESTABLISHMENT_CHOICES, required=False
    )
    children_count = forms.IntegerField(
        label=_("How many children?"), min_value=0, max_value=500, required=False
    )
    ages_described = forms.CharField(label=_("About how old?"), max_length=100, required=False)
    flag_child = forms.BooleanField(label=_("A child under 18 is involved"), required=False)
    flag_sexual_exploitation = forms.BooleanField(label=_("Sexual exploitation"), required=False)
    flag_held_now = forms.BooleanField(label=_("Someone is held there now"), required=False)
    caller_phone = forms.CharField(
        label=_("Your phone, only if we may call you"), max_length=100, required=False
    )
    caller_may_contact = forms.BooleanField(label=_("You may contact me"), required=False)
    # Hidden from people by CSS; robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "website"}


class TipStatusForm(forms.Form):
    code = forms.CharField(label=_("Tip code"), max_length=12)
    secret = forms.CharField(label=_("Secret"), max_length=20)


class TipAddForm(TipStatusForm):
    text = forms.CharField(
        label=_("Information to add"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(VersionForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(label=_("Reason for another urgency"), max_length=500, required=False)


class DispatchForm(VersionForm):
    organisation = forms.ModelChoiceField(label=_("Dispatch to"), queryset=None)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class DeclineForm(VersionForm):
    reason = forms.CharField(label=_("Why decline?"), max_length=500)


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Details or reason"), max_length=500, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE, initial=timezone.localdate)
    confirm = forms.BooleanField(
        label=_("I confirm: closing is final, the report leaves the open queue."),
        error_messages={"required": _("Tick the box to confirm that you close the report.")},
    )


class LinkForm(VersionForm):
    original = forms.UUIDField(widget=forms.HiddenInput, required=False)
