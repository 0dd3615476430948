from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ctip.places.models import Province

from .models import Organisation, OrganisationType
from .roles import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class UserCreateForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    full_name_km = forms.CharField(label=_("Full name in Khmer"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    roles = RolesField(label=_("Roles"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password. Hand it over in person."),
    )

    def __init__(self, *args, grantable_roles: list[str], organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in grantable_roles]
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class UserEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    full_name_km = forms.CharField(label=_("Full name in Khmer"), max_length=200, required=False)
    roles = RolesField(label=_("Roles"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, grantable_roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in grantable_roles]


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OrganisationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=200, required=False)
    code = forms.SlugField(
        label=_("Code"), max_length=12, help_text=_("Short code used in case numbers, e.g. PNH.")
    )
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    provides_legal_aid = forms.BooleanField(
        label=_("Provides legal aid"),
        required=False,
        help_text=_(
            "Only such an organisation may be named to represent the victims of an "
            "investigation, which shows it the proceeding and its evidence."
        ),
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces covered"),
        queryset=Province.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, what it may do, how long it lives (one year at most)."""

    SCOPES = {"read": ["read"], "write": ["read", "write"]}

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the program that will use it."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[("read", _("Read only")), ("write", _("Read and write"))],
        initial="read",
        widget=forms.RadioSelect,
    )
    lifetime = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[
            (30, _("30 days")),
            (90, _("90 days")),
            (180, _("180 days")),
            (365, _("1 year")),
        ],
        initial=90,
    )

    def scopes(self) -> list[str]:
        return self.SCOPES[self.cleaned_data["access"]]
