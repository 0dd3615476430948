"""Matching a person when they are created or changed.

A signal, because the people app must not depend on matching (DESIGN.md allows signals for
decoupled infrastructure, like a search index). The work runs after the person's transaction
commits, against blocking candidates only, and never undoes the person's record if it fails.
Set CTIP_MATCH_ON_SAVE = False (settings) to leave matching to the batch command.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from ctip.people.models import IdentityDocument, Person


def _schedule(person_id: int) -> None:
    if not getattr(settings, "CTIP_MATCH_ON_SAVE", True):
        return
    from .services import person_match_on_commit

    transaction.on_commit(lambda: person_match_on_commit(person_id))


@receiver(post_save, sender=Person, dispatch_uid="matching_person_saved")
def person_saved(sender, instance: Person, raw: bool = False, **kwargs) -> None:
    if not raw:
        _schedule(instance.pk)


@receiver(post_save, sender=IdentityDocument, dispatch_uid="matching_document_saved")
def document_saved(sender, instance: IdentityDocument, raw: bool = False, **kwargs) -> None:
    if not raw:
        _schedule(instance.person_id)
