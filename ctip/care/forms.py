from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.accounts.models import Organisation

from .models import Domain, Instrument, ServiceType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    """One score field per domain of the instrument, built from its data."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        levels = [
            (lvl.score, f"{lvl.score} · {lvl.display_name}") for lvl in instrument.levels.all()
        ]
        self.domains = list(instrument.domains.all())
        for domain in self.domains:
            self.fields[f"score_{domain.code}"] = forms.TypedChoiceField(
                label=domain.display_name,
                choices=[("", "—"), *levels],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
            self.fields[f"note_{domain.code}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False
            )
        self.fields["summary"] = forms.CharField(
            label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
        )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "scores": {d.code: data[f"score_{d.code}"] for d in self.domains},
            "notes": {d.code: data.get(f"note_{d.code}", "") for d in self.domains},
            "summary": data.get("summary", ""),
        }


class CarePlanForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, initial=timezone.localdate)
    review_every_days = forms.IntegerField(
        label=_("Review every (days)"), min_value=7, max_value=365, initial=90
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class GoalForm(forms.Form):
    domain = forms.ModelChoiceField(label=_("Domain"), queryset=Domain.objects.none())
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.filter(
            instrument__kind="needs", instrument__is_active=True
        ).select_related("instrument")


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Owner (empty: our organisation)"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE, initial=timezone.localdate)
    notes = forms.CharField(
        label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = forms.DateField(
        label=_("Next review (empty: one interval on)"), widget=DATE, required=False
    )


class ServiceForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.filter(is_active=True)
    )
    provider = forms.ModelChoiceField(
        label=_("Provider (empty: our organisation)"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        help_text=_("A partner is asked to confirm; this needs the survivor's consent to share."),
    )
    delivered_on = forms.DateField(
        label=_("Delivered on (our organisation)"), widget=DATE, required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    consent_override_reason = forms.CharField(
        label=_("Reason to act without consent (supervisors only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[("confirm", _("Confirm")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DeliveredForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, initial=timezone.localdate)
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
