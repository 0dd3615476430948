from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentGiver, CustodyAction, EvidenceKind

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    collected_on = forms.DateField(label=_("Collected on"), widget=DATE)
    collected_at = forms.CharField(label=_("Collected at (place)"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, photo, recording or plain text. Stored exactly as uploaded."),
    )


class CorrectionForm(EvidenceForm):
    correction_reason = forms.CharField(
        label=_("What the correction changes and why"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CustodyForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (CustodyAction.RECEIVED, CustodyAction.RECEIVED.label),
            (CustodyAction.TRANSFERRED, CustodyAction.TRANSFERRED.label),
            (CustodyAction.COPIED, CustodyAction.COPIED.label),
            (CustodyAction.RETURNED, CustodyAction.RETURNED.label),
        ],
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    handed_to = forms.CharField(label=_("Handed to"), max_length=200, required=False)
    reason = forms.CharField(label=_("Why"), max_length=300)


class MedicalCertificateForm(forms.Form):
    examined_person = forms.ModelChoiceField(label=_("Person examined"), queryset=None)
    doctor_name = forms.CharField(label=_("Examining doctor"), max_length=200)
    facility = forms.CharField(label=_("Health facility"), max_length=200)
    examined_at = forms.DateTimeField(label=_("Date and time of examination"), widget=DATETIME)
    requested_by = forms.CharField(label=_("Requested by"), max_length=200, required=False)
    consent_given = forms.BooleanField(label=_("Consent to the examination given"), required=False)
    consent_by = forms.ChoiceField(label=_("Consent given by"), choices=ConsentGiver.choices)
    estimated_age_min = forms.IntegerField(
        label=_("Estimated age from"), min_value=0, max_value=120, required=False
    )
    estimated_age_max = forms.IntegerField(
        label=_("Estimated age to"), min_value=0, max_value=120, required=False
    )
    age_method = forms.CharField(label=_("Age estimation method"), max_length=200, required=False)
    physical_findings = forms.CharField(
        label=_("Physical findings"), widget=forms.Textarea(attrs={"rows": 3})
    )
    genital_findings = forms.CharField(
        label=_("Genital and anal findings"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    injuries = forms.CharField(
        label=_("Injuries"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    samples_taken = forms.CharField(
        label=_("Samples taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["examined_person"].queryset = people
