"""Forms and form pieces for choosing a place: the village search, and the pickers every other
app uses for province → district → commune → village.

Two pieces, one behaviour:

- `PlaceFieldsMixin` chains a form's own province and district (or commune) select fields: the
  child list shows only the places of the chosen parent (htmx asks `places:options` for them
  when the parent changes) and `clean()` refuses a district that is not in the province chosen.
- `VillageField` picks one village by name. Its widget holds narrowing selects (province,
  district, commune), a name box that searches as one types, and the 8-digit code in a hidden
  input that nobody types. Without scripts the name box still works: the village is found by its
  exact name within the places chosen, and the form says so when the name is ambiguous.

Place names are not personal, so the lookups are plain GETs.
"""

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Commune, District, Province, Village
from .services import clean_name

# The levels of the gazetteer, top down, with the length of their codes.
LEVELS = ("province", "district", "commune", "village")
CODE_LENGTH = {"province": 2, "district": 4, "commune": 6, "village": 8}
PARENT_ATTR = {"district": "province_id", "commune": "district_id", "village": "commune_id"}


def place_code(value, level: str) -> str:
    """A well-formed code of `level` from a submitted value or an instance, else ""."""
    code = getattr(value, "pk", value)
    code = str(code or "").strip()
    return code if code.isdigit() and len(code) == CODE_LENGTH[level] else ""


class VillageSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a village"),
        max_length=100,
        required=False,
        help_text=_("Part of the name in Latin or Khmer script, or the start of the code."),
    )


# --- chained select fields of a form --------------------------------------------------------


class PlaceSelect(forms.Select):
    """A select of districts or communes that lists only the children of `parent_code`.

    Validation still uses the field's whole queryset, so a mismatched pair reaches the form's
    `clean()` and gets a clear message rather than "Select a valid choice".
    """

    parent_attr = ""
    parent_code = ""

    def optgroups(self, name, value, attrs=None):
        if not (self.parent_attr and self.parent_code):
            return super().optgroups(name, value, attrs)
        every = self.choices
        self.choices = [
            (key, label)
            for key, label in every
            if key == ""
            or getattr(getattr(key, "instance", None), self.parent_attr, None) == self.parent_code
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every


class PlaceFieldsMixin:
    """Chains place select fields of a form: `place_fields = {"province": "province", ...}`.

    Keys are levels (province, district, commune), values the names of the form's
    ModelChoiceFields, top down. Put the mixin before `forms.Form` in the bases.
    """

    place_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chain = [(level, name) for level, name in self.place_fields.items() if name in self.fields]
        for (parent_level, parent_name), (child_level, child_name) in zip(
            chain, chain[1:], strict=False
        ):
            parent = self.fields[parent_name]
            child = self.fields[child_name]
            parent.widget.attrs.update(
                {
                    "hx-get": reverse("places:options", args=[child_level]),
                    "hx-target": f"#{self[child_name].auto_id}",
                    "hx-trigger": "change",
                    "hx-swap": "innerHTML",
                    "data-place-level": parent_level,
                }
            )
            widget = PlaceSelect(attrs={**child.widget.attrs, "data-place-level": child_level})
            widget.choices = child.choices
            widget.parent_attr = PARENT_ATTR[child_level]
            widget.parent_code = place_code(self._place_value(parent_name), parent_level)
            child.widget = widget

    def _place_value(self, name: str):
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        return self.initial.get(name, self.fields[name].initial)

    def clean(self):
        data = super().clean()
        chain = [(level, name) for level, name in self.place_fields.items() if name in self.fields]
        for (parent_level, parent_name), (child_level, child_name) in zip(
            chain, chain[1:], strict=False
        ):
            parent, child = data.get(parent_name), data.get(child_name)
            if child is None:
                continue
            parent_of_child = getattr(child, parent_level)
            if parent is None and parent_name not in self.errors:
                data[parent_name] = parent_of_child  # the district tells the province
            elif parent is not None and parent_of_child.pk != parent.pk:
                self.add_error(child_name, mismatch_message(child_level, parent_level))
        return data


def mismatch_message(child_level: str, parent_level: str) -> str:
    messages = {
        ("district", "province"): _("This district is not in the province chosen."),
        ("commune", "district"): _("This commune is not in the district chosen."),
        ("village", "commune"): _("This village is not in the commune chosen."),
        ("village", "district"): _("This village is not in the district chosen."),
        ("village", "province"): _("This village is not in the province chosen."),
    }
    return messages[(child_level, parent_level)]


# --- one village, chosen by name ------------------------------------------------------------


class VillagePicker(forms.Widget):
    """Province, district and commune selects to narrow, a name box, the code hidden."""

    template_name = "places/widgets/village_picker.html"

    def value_from_datadict(self, data, files, name):
        return {
            "code": data.get(name, ""),
            "q": data.get(f"{name}_q", ""),
            "province": data.get(f"{name}_province", ""),
            "district": data.get(f"{name}_district", ""),
            "commune": data.get(f"{name}_commune", ""),
        }

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self._state(value)
        provinces = Province.objects.filter(is_active=True).order_by("code")
        districts = District.objects.filter(is_active=True).select_related("province")
        districts = (
            districts.filter(province_id=chosen["province"])
            if chosen["province"]
            else districts.order_by("province_id", "name_en")
        )
        communes = (
            Commune.objects.filter(is_active=True, district_id=chosen["district"])
            if chosen["district"]
            else Commune.objects.none()
        )
        context["picker"] = {
            **chosen,
            "provinces": provinces,
            "districts": districts,
            "all_districts": not chosen["province"],
            "communes": communes,
            "options_url": reverse("places:options", args=["district"]),
            "communes_url": reverse("places:options", args=["commune"]),
            "villages_url": reverse("places:village_choices"),
        }
        return context

    @staticmethod
    def _state(value) -> dict:
        """The codes and name to show, from a Village, a code, or what was submitted."""
        if isinstance(value, dict):
            state = {level: place_code(value.get(level), level) for level in LEVELS[:3]}
            state["code"] = place_code(value.get("code"), "village")
            state["q"] = str(value.get("q") or "")[:100]
            return state
        code = place_code(value, "village")
        village = (
            Village.objects.select_related("commune__district").filter(code=code).first()
            if code
            else None
        )
        if village is None:
            return {"province": "", "district": "", "commune": "", "code": "", "q": ""}
        return {
            "province": village.commune.district.province_id,
            "district": village.commune.district_id,
            "commune": village.commune_id,
            "code": village.code,
            "q": village.display_name,
        }


class VillageField(forms.Field):
    """A village chosen by name (or, from the picker, by its hidden code); returns a Village."""

    widget = VillagePicker
    default_error_messages = {
        "unknown": _("No village has this code. Choose the village by its name."),
        "no_match": _(
            "No village called “%(name)s” there. Check the spelling or choose the commune "
            "and pick the village from the list."
        ),
        "ambiguous": _(
            "%(count)d villages are called “%(name)s”. Choose the province, district and "
            "commune first, then the village."
        ),
        "bad_place": _("Choose the province, district and commune from the lists."),
    }

    def clean(self, value):
        value = value if isinstance(value, dict) else {"code": value}
        village = self._village(value)
        if village is None:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        self._check_places(village, value)
        return village

    def _village(self, value: dict) -> Village | None:
        code = str(value.get("code") or "").strip()
        name = clean_name(value.get("q"))
        if code:
            village = Village.objects.select_related("commune__district").filter(code=code).first()
            if village is None:
                raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
            names = {clean_name(village.name_en).casefold(), clean_name(village.name_km)}
            # A name typed over the picked one (without scripts) means another village.
            if not name or name.casefold() in names or name in names:
                return village
        if not name:
            return None
        return self._by_name(name, value)

    def _by_name(self, name: str, value: dict) -> Village:
        villages = Village.objects.filter(is_active=True).filter(
            Q(name_en__iexact=name) | Q(name_km=name)
        )
        for level, lookup in (
            ("commune", "commune_id"),
            ("district", "commune__district_id"),
            ("province", "commune__district__province_id"),
        ):
            code = place_code(value.get(level), level)
            if code:
                villages = villages.filter(**{lookup: code})
                break
        found = list(villages.select_related("commune__district")[:50])
        if not found:
            raise forms.ValidationError(
                self.error_messages["no_match"], code="no_match", params={"name": name}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"name": name, "count": len(found)},
            )
        return found[0]

    def _check_places(self, village: Village, value: dict) -> None:
        """Refuses a village outside the commune, district or province chosen to narrow it."""
        chosen = {level: place_code(value.get(level), level) for level in LEVELS[:3]}
        for level in LEVELS[:3]:
            if str(value.get(level) or "").strip() and not chosen[level]:
                raise forms.ValidationError(self.error_messages["bad_place"], code="bad_place")
        pairs = (
            ("district", "province", District, "province_id"),
            ("commune", "district", Commune, "district_id"),
        )
        for child, parent, model, parent_field in pairs:
            if not (chosen[child] and chosen[parent]):
                continue
            places = model.objects.filter(code=chosen[child], **{parent_field: chosen[parent]})
            if not places.exists():
                raise forms.ValidationError(mismatch_message(child, parent), code="mismatch")
        actual = {
            "commune": village.commune_id,
            "district": village.commune.district_id,
            "province": village.commune.district.province_id,
        }
        for level in ("commune", "district", "province"):
            if chosen[level] and chosen[level] != actual[level]:
                raise forms.ValidationError(mismatch_message("village", level), code="mismatch")
