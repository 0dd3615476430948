from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction


class AuditFilterForm(forms.Form):
    """The filters of the audit page; each one left empty means "any"."""

    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
    )
    actor = forms.CharField(
        label=_("Actor email"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    target_type = forms.CharField(
        label=_("Target type"),
        required=False,
        max_length=60,
        help_text=_("For example accounts.user"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def filters(self) -> dict[str, str]:
        """The valid filters, ready for `audit_event_list`; an invalid one is left out."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or "" for name in ("action", "actor", "target_type")}
