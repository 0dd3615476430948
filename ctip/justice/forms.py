from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.accounts.models import Organisation
from ctip.people.models import Sex

from .models import (
    ArticleConfidence,
    ComplainantType,
    ExploitationForm,
    HearingType,
    IdentifierKind,
    InvestigationSource,
    LawArticle,
    RelationToVictim,
    SuspectRole,
    VerdictOutcome,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ValuesForm(forms.Form):
    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class InvestigationForm(ValuesForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    source = forms.ChoiceField(label=_("Opened from"), choices=InvestigationSource.choices)
    source_reference = forms.CharField(
        label=_("Source reference (report, operation or case number)"),
        max_length=60,
        required=False,
    )
    exploitation_form = forms.ChoiceField(
        label=_("Form of exploitation"), choices=ExploitationForm.choices
    )
    legal_organisation = forms.ModelChoiceField(
        label=_("Legal-aid organisation representing the victims"),
        # Only organisations that provide legal aid; the service checks again.
        queryset=Organisation.objects.filter(is_active=True, provides_legal_aid=True),
        required=False,
    )
    report = forms.ModelChoiceField(label=_("Report"), queryset=None, required=False)
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=None, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from ctip.access.policy import visible_to
        from ctip.intake.models import Report
        from ctip.operations.models import Operation

        # Only what the user may see is offered; the service checks again.
        self.fields["report"].queryset = visible_to(user, Report)
        self.fields["operation"].queryset = visible_to(user, Operation)


class SuspectForm(ValuesForm):
    given_name = forms.CharField(label=_("Given name (romanised)"), max_length=100, required=False)
    family_name = forms.CharField(
        label=_("Family name (romanised)"), max_length=100, required=False
    )
    name_km = forms.CharField(label=_("Name in Khmer script"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), min_value=0, max_value=120, required=False
    )
    role = forms.ChoiceField(label=_("Role in the trafficking"), choices=SuspectRole.choices)
    role_details = forms.CharField(
        label=_("Role details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    aliases = forms.CharField(label=_("Aliases"), max_length=300, required=False)


class VictimForm(ValuesForm):
    person = forms.ModelChoiceField(label=_("Victim"), queryset=None)
    exploitation_form = forms.ChoiceField(
        label=_("Form of exploitation"),
        choices=[("", "—"), *ExploitationForm.choices],
        required=False,
    )
    age_at_exploitation = forms.IntegerField(
        label=_("Age when exploited"), min_value=0, max_value=120, required=False
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class IdentifierForm(ValuesForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(label=_("Identifier"), max_length=200)
    platform = forms.CharField(
        label=_("Platform (Facebook, Telegram, bank...)"), max_length=60, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RelationForm(ValuesForm):
    victim = forms.ModelChoiceField(label=_("Victim"), queryset=None)
    relation = forms.ChoiceField(
        label=_("Relationship to the victim"), choices=RelationToVictim.choices
    )

    def __init__(self, *args, victims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["victim"].queryset = victims


class ComplaintForm(ValuesForm):
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    filed_by = forms.ChoiceField(label=_("Filed by"), choices=ComplainantType.choices)
    filed_with = forms.CharField(label=_("Filed with"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ArrestForm(ValuesForm):
    arrested_on = forms.DateField(label=_("Arrested on"), widget=DATE)
    agency = forms.CharField(label=_("Arresting agency"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ChargeForm(ValuesForm):
    article = forms.ModelChoiceField(
        label=_("Article of the 2008 law"), queryset=LawArticle.objects.filter(is_active=True)
    )
    charged_on = forms.DateField(label=_("Charged on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CourtCaseForm(ValuesForm):
    court = forms.CharField(label=_("Court"), max_length=200)
    case_number = forms.CharField(label=_("Court case number"), max_length=60)
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    defendants = forms.ModelMultipleChoiceField(
        label=_("Defendants"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, suspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defendants"].queryset = suspects


class HearingForm(ValuesForm):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    type = forms.ChoiceField(label=_("Type"), choices=HearingType.choices)


class HearingOutcomeForm(ValuesForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class HearingPostponeForm(ValuesForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for postponement"), max_length=300)
    new_date = forms.DateTimeField(label=_("New date and time"), widget=DATETIME)


class WitnessSupportForm(ValuesForm):
    witness = forms.ModelChoiceField(label=_("Witness"), queryset=None)
    pseudonym = forms.CharField(
        label=_("Pseudonym (shown instead of the name)"), max_length=40, required=False
    )
    prepared = forms.BooleanField(label=_("Prepared for testimony"), required=False)
    accompanied = forms.BooleanField(label=_("Accompanied to court"), required=False)
    video_testimony = forms.BooleanField(label=_("Testimony by video"), required=False)
    closed_hearing = forms.BooleanField(label=_("Closed hearing"), required=False)
    transport = forms.BooleanField(label=_("Transport provided"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = people


class VerdictForm(ValuesForm):
    defendant = forms.ModelChoiceField(label=_("Defendant"), queryset=None)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerdictOutcome.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, required=False)
    sentence_months = forms.IntegerField(label=_("Sentence (months)"), min_value=0, required=False)
    fine_riel = forms.IntegerField(label=_("Fine (riel)"), min_value=0, required=False)
    compensation_ordered_riel = forms.IntegerField(
        label=_("Compensation ordered (riel)"), min_value=0, required=False
    )
    compensation_paid_riel = forms.IntegerField(
        label=_("Compensation paid (riel)"), min_value=0, required=False
    )
    # A verdict is final: the officer confirms it, with its date, before it is recorded.
    confirm = forms.BooleanField(
        label=_("I confirm this is the court's verdict, decided on the date given"),
        error_messages={"required": _("Confirm the verdict before recording it.")},
    )

    def __init__(self, *args, defendants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defendant"].queryset = defendants

    def clean(self):
        data = super().clean()
        decided = data.get("outcome") and data["outcome"] != VerdictOutcome.PENDING
        if decided and not data.get("decided_on"):
            self.add_error("decided_on", _("Give the date of the verdict."))
        return data

    def values(self) -> dict:
        return {k: v for k, v in super().values().items() if k != "confirm"}


class AppealForm(ValuesForm):
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    filed_by = forms.CharField(label=_("Filed by"), max_length=200)
    court = forms.CharField(label=_("Appeal court"), max_length=200)


class LawArticleForm(ValuesForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    article = forms.IntegerField(label=_("Article"), min_value=1, max_value=999)
    offence = forms.CharField(label=_("Offence"), max_length=200)
    offence_km = forms.CharField(label=_("Offence in Khmer"), max_length=200, required=False)
    chapter = forms.CharField(label=_("Chapter"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    penalty_min_years = forms.IntegerField(
        label=_("Minimum penalty (years)"), min_value=0, required=False
    )
    penalty_max_years = forms.IntegerField(
        label=_("Maximum penalty (years)"), min_value=0, required=False
    )
    aggravating = forms.CharField(
        label=_("Aggravating circumstances"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    confidence = forms.ChoiceField(label=_("Confidence"), choices=ArticleConfidence.choices)
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_active = forms.BooleanField(label=_("May be charged"), required=False, initial=True)
