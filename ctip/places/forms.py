from django import forms
from django.utils.translation import gettext_lazy as _


class VillageSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a village"),
        max_length=100,
        required=False,
        help_text=_("Part of the name in Latin or Khmer script, or the start of the code."),
    )
