from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    DECISIONS = (
        ("confirm", _("The same person")),
        ("reject", _("Different people")),
        ("undo", _("Undo the link")),
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
