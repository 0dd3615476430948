from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import readable_fields
from ctip.places.forms import VillageField
from ctip.places.models import Country, Village

from .models import AgeEstimation, DocumentType, Person, Relationship, Sex
from .services import EDITABLE_FIELDS


class VillageCodeField(forms.CharField):
    """An 8-digit NCDD village code, checked against the gazetteer."""

    default_error_messages = {"unknown": _("No village has this code. Use the 8-digit code.")}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        village = Village.objects.filter(code=value.strip()).first()
        if village is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return village


class PersonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    given_name = forms.CharField(label=_("Given name (romanised)"), max_length=100, required=False)
    family_name = forms.CharField(
        label=_("Family name (romanised)"), max_length=100, required=False
    )
    name_km = forms.CharField(label=_("Name in Khmer script"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), min_value=0, max_value=120, required=False
    )
    nationality = forms.ModelChoiceField(
        label=_("Nationality"), queryset=Country.objects.all(), required=False
    )
    home_village = VillageField(label=_("Home village"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    protection_notes = forms.CharField(
        label=_("Protection notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    aliases = forms.CharField(label=_("Aliases"), max_length=300, required=False)
    age_estimation = forms.ChoiceField(
        label=_("How the age was estimated"),
        choices=[("", "—"), *AgeEstimation.choices],
        required=False,
    )
    citizenship = forms.ModelMultipleChoiceField(
        label=_("Citizenship"),
        queryset=Country.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    languages = forms.CharField(label=_("Languages"), max_length=200, required=False)
    disability = forms.CharField(
        label=_("Disability"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 3 MB at most. Restricted: few roles may see it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the fields the user may read are offered for writing.
        allowed = set(readable_fields(user, Person, EDITABLE_FIELDS)) | {"version"}
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def values(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if values.get("photo") in (None, False):
            values.pop("photo", None)  # no new upload: keep the stored photo
        return values

    @staticmethod
    def initial_for(person: Person) -> dict:
        initial = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        initial["home_village"] = person.home_village_id or ""
        initial["citizenship"] = list(person.citizenship.all()) if person.pk else []
        initial.pop("photo", None)
        initial["version"] = person.version
        return initial


class FamilyLinkForm(forms.Form):
    """A family member or guardian: a person already recorded, or a new one recorded here.

    The list offers the people of the user's organisation, then the others the user sees (e.g.
    through a referral): choosing one of those makes a local record of them (see
    services.family_link_add)."""

    relative = forms.ModelChoiceField(
        label=_("Family member already recorded"), queryset=Person.objects.none(), required=False
    )
    given_name = forms.CharField(label=_("Given name (romanised)"), max_length=100, required=False)
    family_name = forms.CharField(
        label=_("Family name (romanised)"), max_length=100, required=False
    )
    name_km = forms.CharField(label=_("Name in Khmer script"), max_length=200, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)
    is_guardian = forms.BooleanField(label=_("Guardian"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    NEW_FIELDS = ("given_name", "family_name", "name_km", "sex", "phone")

    def __init__(self, *args, user, person: Person, **kwargs):
        from ctip.access.policy import visible_to

        super().__init__(*args, **kwargs)
        people = visible_to(user, Person).exclude(pk=person.pk).select_related("organisation")
        # The user's own organisation's people first; others after, marked with their owner.
        self.fields["relative"].queryset = people.order_by(
            models.Case(
                models.When(organisation_id=user.organisation_id, then=0),
                default=1,
                output_field=models.IntegerField(),
            ),
            "family_name",
            "given_name",
        )
        own = user.organisation_id
        self.fields["relative"].label_from_instance = lambda p: (
            p.display_name
            if p.organisation_id == own
            else _("%(name)s (recorded by %(org)s: a copy is made for your organisation)")
            % {"name": p.display_name, "org": p.organisation.name}
        )
        allowed = set(readable_fields(user, Person, self.NEW_FIELDS))
        for name in self.NEW_FIELDS:
            if name not in allowed:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        new = {
            name: data.get(name)
            for name in ("given_name", "family_name", "name_km", "phone")
            if data.get(name)
        }
        if data.get("relative") and new:
            raise forms.ValidationError(
                _("Choose a family member already recorded, or record a new one: not both.")
            )
        if not data.get("relative") and not any(
            data.get(n) for n in ("given_name", "family_name", "name_km")
        ):
            raise forms.ValidationError(
                _("Choose a family member already recorded, or give the new one's name.")
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "relationship": data["relationship"],
            "is_guardian": data["is_guardian"],
            "notes": data["notes"],
        }
        if data.get("relative"):
            arguments["relative"] = data["relative"]
        else:
            arguments["new_relative"] = {
                name: data[name] for name in self.NEW_FIELDS if name in data
            }
            if "sex" in arguments["new_relative"]:
                arguments["new_relative"]["sex"] = data["sex"] or Sex.UNKNOWN
        return arguments


class DocumentForm(forms.Form):
    """An identity document; the confidential fields only for users who may read them."""

    type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issuing_country = forms.ModelChoiceField(
        label=_("Issuing country"), queryset=Country.objects.all(), required=False
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    held_by = forms.CharField(
        label=_("Held by"),
        max_length=200,
        required=False,
        help_text=_("Who has the document now (the survivor, a family member, the shelter…)."),
    )

    def __init__(self, *args, user, **kwargs):
        from .models import IdentityDocument

        super().__init__(*args, **kwargs)
        allowed = set(readable_fields(user, IdentityDocument, list(self.fields)))
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
