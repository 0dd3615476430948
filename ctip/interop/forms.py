from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.accounts.models import Organisation

from .models import PartnerKind


class PartnerSystemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    recipient = forms.ModelChoiceField(
        label=_("Run by (receives the data)"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "The organisation that runs the partner system. Cases go to it only when the "
            "survivor consented to share with it."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=user.organisation_id
        )
