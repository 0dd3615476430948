"""The access policy fails closed and classifies every field."""

import pytest
from django.apps import apps

from ctip.access import policy
from ctip.access.rules import RULES, Sensitivity
from ctip.accounts.models import User
from ctip.accounts.roles import Role
from ctip.people.models import Person
from ctip.people.services import person_create
from ctip.places.models import Village


def test_every_field_of_every_protected_model_is_classified():
    for label, rule in RULES.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields} | {
            f.name for f in model._meta.many_to_many
        }
        unclassified = names - set(rule.fields)
        assert not unclassified, f"{label}: classify {sorted(unclassified)} in access/rules.py"


def test_a_model_without_a_rule_is_visible_to_nobody(cast):
    assert Village not in [apps.get_model(label) for label in RULES]
    for user in cast.everyone():
        assert list(policy.visible_to(user, Village)) == []
        assert policy.visible_to(user, Village).query.is_empty()


def test_an_unclassified_field_counts_as_restricted():
    assert policy.field_sensitivity(Person, "no_such_field") == Sensitivity.RESTRICTED
    assert policy.field_sensitivity(Village, "name_en") == Sensitivity.RESTRICTED


def test_anonymous_and_inactive_users_see_nothing(cast):
    worker = cast.a[Role.CASE_WORKER]
    person_create(actor=worker, given_name="Dara")
    assert policy.visible_to(worker, Person).count() == 1

    from django.contrib.auth.models import AnonymousUser

    assert policy.visible_to(AnonymousUser(), Person).count() == 0
    assert policy.readable_fields(AnonymousUser(), Person) == []

    worker.is_active = False
    worker.save()
    inactive = User.objects.get(pk=worker.pk)
    assert policy.visible_to(inactive, Person).count() == 0
    assert not policy.can(inactive, "people.view")


def test_users_of_an_inactive_organisation_lose_every_permission(cast):
    cast.org_a.is_active = False
    cast.org_a.save()
    worker = User.objects.get(pk=cast.a[Role.CASE_WORKER].pk)
    assert worker.permissions == frozenset()
    assert policy.visible_to(worker, Person).count() == 0


def test_a_user_without_roles_sees_nothing(cast):
    person_create(actor=cast.a[Role.CASE_WORKER], given_name="Dara")
    assert cast.no_role.permissions == frozenset()
    for label in RULES:
        assert policy.visible_to(cast.no_role, apps.get_model(label)).count() == 0


@pytest.mark.parametrize(
    ("role", "sees_confidential", "sees_restricted"),
    [
        (Role.HOTLINE_OPERATOR, False, False),
        (Role.INVESTIGATOR, True, False),
        (Role.CASE_WORKER, True, False),
        (Role.CASE_SUPERVISOR, True, True),
        (Role.SHELTER_MANAGER, True, False),
        (Role.LEGAL_OFFICER, True, False),
    ],
)
def test_field_sensitivity_follows_the_roles_table(cast, role, sees_confidential, sees_restricted):
    fields = set(policy.readable_fields(cast.a[role], Person))
    assert "given_name" in fields
    assert ("date_of_birth" in fields) is sees_confidential
    assert ("phone" in fields) is sees_confidential
    assert ("protection_notes" in fields) is sees_restricted


def test_can_change_needs_both_visibility_and_the_change_permission(cast):
    person = person_create(actor=cast.a[Role.CASE_WORKER], given_name="Dara")
    assert policy.can_change(cast.a[Role.CASE_WORKER], person)
    assert not policy.can_change(cast.a[Role.SHELTER_MANAGER], person)  # sees, may not change
    assert not policy.can_change(cast.b[Role.CASE_WORKER], person)  # may change, does not see


def test_an_everything_scope_is_not_narrowed_by_another_scope(cast, monkeypatch):
    """Django drops an empty Q from `Q() | Q(x)`; the policy must not inherit that."""
    from ctip.access.rules import RULES, Rule, everything, own_organisation

    person_create(actor=cast.a[Role.CASE_WORKER], given_name="A")
    person_create(actor=cast.b[Role.CASE_WORKER], given_name="B")
    rule = RULES["people.Person"]
    monkeypatch.setitem(
        RULES,
        "people.Person",
        Rule(
            scopes=[("people.view", own_organisation()), ("sensitivity.restricted", everything)],
            fields=rule.fields,
        ),
    )
    supervisor = cast.a[Role.CASE_SUPERVISOR]  # holds both permissions
    assert policy.visible_to(supervisor, Person).count() == 2
    assert policy.visible_to(cast.a[Role.CASE_WORKER], Person).count() == 1
