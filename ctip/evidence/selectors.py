"""Reads of evidence, always through the access policy. Viewing an item is a custody event."""

from django.db.models import Count, QuerySet

from ctip.access.policy import get_visible_or_404, visible_to
from ctip.justice.models import Investigation

from .models import CustodyAction, CustodyEvent, EvidenceItem, MedicalCertificate
from .services import custody_viewed


def items_for_investigation(*, user, investigation: Investigation) -> QuerySet[EvidenceItem]:
    """The investigation's evidence items the user may see, newest first (no custody event:
    a list shows titles and hashes, never an item's content)."""
    return (
        visible_to(user, EvidenceItem)
        .filter(investigation=investigation)
        .select_related("corrects", "organisation")
        .annotate(correction_count=Count("corrections"))
        .order_by("-created_at", "-id")
    )


def item_get_for_user(
    *, user, item_uuid, record_view: bool = True, action: str = CustodyAction.VIEWED
) -> EvidenceItem:
    """One item the user may see (404 otherwise); records a custody event for the view."""
    item = get_visible_or_404(
        user,
        visible_to(user, EvidenceItem).select_related("investigation", "corrects", "organisation"),
        uuid=item_uuid,
    )
    if record_view:
        custody_viewed(actor=user, item=item, action=action)
    return item


def custody_log(*, user, item: EvidenceItem) -> list[CustodyEvent]:
    return list(visible_to(user, CustodyEvent).filter(item=item).order_by("seq"))


def item_versions(*, user, item: EvidenceItem) -> list[EvidenceItem]:
    """The corrections of an item the user may see, oldest first."""
    return list(visible_to(user, EvidenceItem).filter(corrects=item).order_by("created_at", "id"))


def certificate_for_item(*, user, item: EvidenceItem) -> MedicalCertificate | None:
    return (
        visible_to(user, MedicalCertificate)
        .filter(item=item)
        .select_related("examined_person")
        .first()
    )
