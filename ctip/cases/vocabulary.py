"""The trafficking-profile vocabulary, from the Human Trafficking Case Data Standard 2.0.

Values are HTCDS value names (field_standards_2.0.csv), so an export maps one-to-one. Where
CTIP needs a word HTCDS lacks, the value is marked "CTIP" below:
- ForcedCriminality: forced criminal activity, e.g. online scams run from compounds.
- RestrictsMovement: HTCDS defines it in Field_Definitions.md but leaves it out of the picklist.
- Recruiter relation: DESIGN.md's finer list; `htcds_relation` maps it back to
  vic_RelationshipToTrafficker (Familial / Acquainted / Unaquainted).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class ExploitationType(models.TextChoices):
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminality (e.g. scam compounds)")  # CTIP
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude (incl. domestic servitude)")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


class SexualExploitationType(models.TextChoices):
    PROSTITUTION = "Prostitution", _("Prostitution (brothel, karaoke, massage, hotel)")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE = "RemoteInteractiveServices", _("Remote interactive services (online)")
    PRIVATE = "PrivateSexualServices", _("Private sexual services")


class LabourIndustry(models.TextChoices):
    AGRICULTURE = "A_AgricultureForestryAndFishing", _("Agriculture, forestry and fishing")
    MINING = "B_MiningAndQuarrying", _("Mining and quarrying")
    MANUFACTURING = "C_Manufacturing", _("Manufacturing (factory, brick kiln)")
    CONSTRUCTION = "F_Construction", _("Construction")
    TRADE = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _("Wholesale and retail trade")
    TRANSPORT = "H_TransportationAndStorage", _("Transportation and storage")
    ACCOMMODATION = (
        "I_AccommodationAndFoodServiceActivities",
        _("Accommodation and food service (karaoke, beer garden, restaurant)"),
    )
    INFORMATION = "J_InformationAndCommunication", _("Information and communication")
    ENTERTAINMENT = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    OTHER_SERVICES = "S_OtherServiceActivities", _("Other service activities")
    HOUSEHOLDS = "T_ActivitiesOfHouseholdsAsEmployers", _("Households as employers (domestic work)")


class MeansOfControl(models.TextChoices):
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of law enforcement")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threatens children or family")
    FALSE_PROMISES = "FalsePromises", _("False promises (deception)")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse (violence)")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings (withheld wages)")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement (isolation)")  # CTIP
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", _("Drugs or alcohol")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Confiscated documents")
    OTHER = "Other", _("Other")


class RecruitmentMethod(models.TextChoices):
    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATIONAL = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    ONLINE_SOCIAL = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TELEVISION = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class RecruiterRelation(models.TextChoices):
    FAMILY = "family", _("Family member")
    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour or community member")
    BROKER = "broker", _("Broker or agent")
    EMPLOYER = "employer", _("Employer")
    STRANGER = "stranger", _("Stranger")


HTCDS_RELATION = {
    RecruiterRelation.FAMILY: "Familial",
    RecruiterRelation.INTIMATE_PARTNER: "Acquainted",
    RecruiterRelation.FRIEND: "Acquainted",
    RecruiterRelation.NEIGHBOUR: "Acquainted",
    RecruiterRelation.BROKER: "Acquainted",
    RecruiterRelation.EMPLOYER: "Acquainted",
    RecruiterRelation.STRANGER: "Unaquainted",  # sic: HTCDS spells it so
}


def htcds_relation(value: str) -> str:
    """The HTCDS vic_RelationshipToTrafficker value for a CTIP recruiter relation."""
    return HTCDS_RELATION.get(value, "")


class EventType(models.TextChoices):
    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class HivStatus(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    NOT_TESTED = "not_tested", _("Not tested")
    DECLINED = "declined", _("Declined to say")


# The multi-select fields of a case and the choices each may hold.
MULTI_CHOICES: dict[str, type[models.TextChoices]] = {
    "exploitation_types": ExploitationType,
    "sexual_exploitation_types": SexualExploitationType,
    "means_of_control": MeansOfControl,
    "recruitment_methods": RecruitmentMethod,
}


def labels(field: str, values: list[str]) -> list[str]:
    """Human labels of the values of a multi-select field, in the active language."""
    choices = dict(MULTI_CHOICES[field].choices)
    return [str(choices.get(value, value)) for value in values or []]
