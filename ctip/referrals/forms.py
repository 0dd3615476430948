from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Role
from ctip.places.models import Province

from .models import ReferralKind, Section, ServiceCategory, Urgency


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
