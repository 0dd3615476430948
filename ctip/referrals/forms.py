from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Role
from ctip.places.models import Province

from .models import MatchReveal, ReferralKind, Section, ServiceCategory, Urgency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ReferralKind.choices,
        widget=forms.RadioSelect,
        initial=ReferralKind.SERVICE,
    )
    service = forms.ChoiceField(
        label=_("Service asked for"),
        choices=[("", "—"), *ServiceCategory.choices],
        required=False,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="routine")
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    sections = forms.MultipleChoiceField(
        label=_("What the partner may see"),
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Section.IDENTITY],
    )
    override_reason = forms.CharField(
        label=_("Reason for referring without consent (supervisors only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Leave empty unless consent cannot be obtained and the child is at risk."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = (
            Organisation.objects.filter(is_active=True)
            .exclude(pk=user.organisation_id)
            .order_by("name")
        )


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    case_worker = forms.ModelChoiceField(
        label=_("Case worker who takes the case (transfers)"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = (
            User.objects.filter(
                organisation_id=user.organisation_id,
                is_active=True,
                role_assignments__role__in=[Role.CASE_WORKER, Role.CASE_SUPERVISOR],
            )
            .distinct()
            .order_by("full_name")
        )


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawReferralForm(forms.Form):
    """Withdrawing ends the partner's view of the case at once: a date and a confirmation."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(
        label=_("I confirm: the partner stops seeing the case now. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class PartnerServiceRecordForm(forms.Form):
    """The service a partner gave under a referral it accepted (e.g. legal support)."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=None)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    outcome = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen by the case's owner among the case's services."),
    )

    def __init__(self, *args, referral, **kwargs):
        from ctip.care.models import ServiceCategory as CareCategory
        from ctip.care.models import ServiceType
        from ctip.care.services import legal_only

        super().__init__(*args, **kwargs)
        offered = ServiceType.objects.filter(is_active=True)
        if legal_only(referral):
            offered = offered.filter(category=CareCategory.LEGAL)
        self.fields["service"].queryset = offered.order_by("category", "name")


class DirectoryFilterForm(forms.Form):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        required=False,
        to_field_name="code",
    )
    category = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("Any service")), *ServiceCategory.choices],
        required=False,
    )


class PartnerServiceForm(forms.Form):
    category = forms.ChoiceField(label=_("Service"), choices=ServiceCategory.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces served"), queryset=Province.objects.all(), required=False
    )
    contact = forms.CharField(label=_("Contact for referrals"), max_length=200, required=False)


class AgreementTermsForm(forms.Form):
    """What a data-sharing agreement says; its two organisations are set when it is recorded."""

    reference = forms.CharField(
        label=_("Agreement reference"),
        max_length=60,
        required=False,
        help_text=_("As written on the signed agreement, e.g. MoU 2026/014."),
    )
    reveal_matches = forms.ChoiceField(
        label=_("What possible duplicates reveal to each organisation"),
        choices=MatchReveal.choices,
        widget=forms.RadioSelect,
        initial=MatchReveal.NONE,
        help_text=_("Never a child's details: those travel only through a consented referral."),
    )
    contact_a = forms.CharField(
        label=_("Contact at the first organisation"),
        max_length=200,
        required=False,
        help_text=_("Shown to the partner with a possible duplicate, under “contact” only."),
    )
    contact_b = forms.CharField(
        label=_("Contact at the partner organisation"), max_length=200, required=False
    )
    valid_from = forms.DateField(label=_("In force from"), widget=DATE)
    valid_to = forms.DateField(
        label=_("In force until (last day)"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty while the agreement has no end date."),
    )

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            self.fields["contact_a"].label = _("Contact at %(organisation)s") % {
                "organisation": agreement.organisation_a.name
            }
            self.fields["contact_b"].label = _("Contact at %(organisation)s") % {
                "organisation": agreement.organisation_b.name
            }

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("An agreement cannot end before it starts."))
        return data


class AgreementForm(AgreementTermsForm):
    """A new agreement: the two organisations that signed it, and its terms."""

    organisation_a = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    organisation_b = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none()
    )
    field_order = ["organisation_a", "organisation_b"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["organisation_a"].queryset = active
        self.fields["organisation_b"].queryset = active

    def clean(self):
        data = super().clean()
        a, b = data.get("organisation_a"), data.get("organisation_b")
        if a and b and a == b:
            self.add_error("organisation_b", _("An agreement is between two organisations."))
        return data


class AgreementEditForm(AgreementTermsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AgreementEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    valid_to = forms.DateField(
        label=_("Last day in force"),
        widget=DATE,
        help_text=_(
            "The agreement applies up to and including this day. Choose yesterday to stop "
            "what it reveals at once."
        ),
    )
    reason = forms.CharField(
        label=_("Why the agreement ends"), widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm that this agreement ends on this day. It is kept on record; after "
            "that day possible duplicates reveal nothing under it."
        )
    )
