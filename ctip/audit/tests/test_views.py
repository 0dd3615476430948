"""The audit pages: who sees which events, and who is refused."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.views import ChangeRow, change_rows
from ctip.core.testing import assert_refused, verified_client

from .conftest import record_many

LIST = reverse("audit:list")


def detail(event) -> str:
    return reverse("audit:detail", args=[event.seq])


def page_text(user, url: str = LIST, **extra) -> str:
    response = verified_client(user).get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees what --------------------------------------------------------------------------------


def test_an_org_admin_sees_the_events_of_their_organisation_only(cast, events):
    html = page_text(cast.a[Role.ORG_ADMIN])

    assert "reason-of-org-a" in html
    assert "reason-of-org-b" not in html
    assert "reason-of-nobody" not in html
    assert "1 event" in html


def test_the_other_org_admin_sees_theirs_only(cast, events):
    html = page_text(cast.b[Role.ORG_ADMIN])

    assert "reason-of-org-b" in html
    assert "reason-of-org-a" not in html


def test_a_system_admin_sees_every_event(cast, events):
    html = page_text(cast.a[Role.SYSTEM_ADMIN])

    for reason in ("reason-of-org-a", "reason-of-org-b", "reason-of-nobody"):
        assert reason in html
    assert "Events of every organisation." in html


def test_it_refuses_the_list_to_users_without_an_audit_permission(cast, events):
    users = [
        cast.a[Role.CASE_WORKER],
        cast.a[Role.STATISTICS_OFFICER],
        cast.b[Role.CASE_SUPERVISOR],
        cast.no_role,
    ]
    assert_refused(LIST, users, expect=403)
    assert_refused(LIST, [None])


def test_an_org_admin_opens_their_organisations_event(cast, events):
    html = page_text(cast.a[Role.ORG_ADMIN], detail(events.a))

    assert events.a.hash in html
    assert events.a.prev_hash in html
    assert "Sok Dara Chan" in html


def test_an_org_admin_gets_404_for_another_organisations_event(cast, events):
    assert_refused(detail(events.b), [cast.a[Role.ORG_ADMIN]], expect=404)
    assert_refused(detail(events.system), [cast.a[Role.ORG_ADMIN]], expect=404)
    assert_refused(detail(events.a), [cast.b[Role.ORG_ADMIN]], expect=404)
    # The same answer as for an event that does not exist.
    assert_refused(reverse("audit:detail", args=[999]), [cast.a[Role.ORG_ADMIN]], expect=404)


def test_a_system_admin_opens_any_event(cast, events):
    for event in (events.a, events.b, events.system):
        assert event.hash in page_text(cast.b[Role.SYSTEM_ADMIN], detail(event))


def test_it_refuses_the_detail_to_users_without_an_audit_permission(cast, events):
    users = [cast.a[Role.CASE_WORKER], cast.a[Role.STATISTICS_OFFICER], cast.no_role]
    assert_refused(detail(events.a), users, expect=403)
    assert_refused(detail(events.a), [None])


# --- What the page shows --------------------------------------------------------------------------


def test_the_list_shows_field_names_and_withholds_sensitive_values(cast, events):
    html = page_text(cast.a[Role.ORG_ADMIN])

    assert "full_name" in html
    assert "password" in html
    assert "value withheld" in html
    assert "Sok Dara Chan" not in html  # values are for the detail page
    assert f">{events.a.hash[:12]}</code>" in html  # short hash, the full one in its title
    assert str(AuditAction.UPDATE.label) in html
    assert cast.a[Role.ORG_ADMIN].email in html
    assert "Organisation A" in html


def test_the_detail_shows_changes_and_withholds_sensitive_values(cast, events):
    html = page_text(cast.a[Role.SYSTEM_ADMIN], detail(events.a))

    assert "Sok Dara" in html and "Sok Dara Chan" in html
    assert "value withheld" in html
    assert "pw-before-9f3" not in html and "pw-after-9f3" not in html


def test_the_detail_shows_values_that_are_not_changes(cast):
    from ctip.audit.services import audit_record

    event = audit_record(
        actor=cast.a[Role.CASE_WORKER],
        action=AuditAction.READ,
        target=cast.a[Role.CASE_WORKER],
        changes={"shown": ["date_of_birth", "phone"]},
    )

    html = page_text(cast.a[Role.ORG_ADMIN], detail(event))

    assert "[&quot;date_of_birth&quot;, &quot;phone&quot;]" in html


def test_the_page_renders_in_khmer(cast, events):
    html = page_text(cast.a[Role.ORG_ADMIN], HTTP_ACCEPT_LANGUAGE="km")

    assert 'lang="km"' in html


# --- Filters, paging, htmx ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": AuditAction.ROLES_CHANGED}, ["reason-of-org-b"], ["reason-of-org-a"]),
        ({"actor": "ORG_ADMIN@A"}, ["reason-of-org-a"], ["reason-of-org-b"]),
        ({"target_type": "accounts.user"}, ["reason-of-org-a", "reason-of-nobody"], []),
        ({"target_type": "accounts.organisation"}, [], ["reason-of-org-a"]),
        ({"action": "no-such-action"}, ["reason-of-org-a", "reason-of-org-b"], []),
    ],
)
def test_it_filters_the_list(cast, events, query, shown, hidden):
    html = page_text(cast.a[Role.SYSTEM_ADMIN], LIST, data=query)

    for reason in shown:
        assert reason in html
    for reason in hidden:
        assert reason not in html


def test_filters_never_widen_what_an_org_admin_sees(cast, events):
    html = page_text(cast.a[Role.ORG_ADMIN], LIST, data={"actor": "org_admin@b"})

    assert "reason-of-org-b" not in html
    assert "No events." in html


def test_it_pages_by_fifty_and_keeps_the_filters(cast):
    record_many(51, actor=cast.a[Role.ORG_ADMIN])
    client = verified_client(cast.a[Role.ORG_ADMIN])

    first = client.get(LIST, {"action": AuditAction.LOGIN})
    second = client.get(LIST, {"action": AuditAction.LOGIN, "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert [e.seq for e in second.context["page"].object_list] == [1]
    assert "action=login&amp;page=2" in first.content.decode()


def test_htmx_requests_get_the_table_alone(cast, events):
    response = verified_client(cast.a[Role.ORG_ADMIN]).get(LIST, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="audit-events"')
    assert "<html" not in html
    assert "reason-of-org-a" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restores_get_the_whole_page(cast, events):
    response = verified_client(cast.a[Role.ORG_ADMIN]).get(
        LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


# --- Query counts ---------------------------------------------------------------------------------

# Session, user, OTP device, the user's organisation, their roles, the count, one page of events
# with their organisations joined (7), then the session save: savepoint, update, release (3).
# It must not grow with the number of events shown.
LIST_QUERIES = 10


@pytest.mark.parametrize("n", [1, 60])
def test_the_list_runs_a_fixed_number_of_queries(cast, django_assert_num_queries, n):
    record_many(n, actor=cast.a[Role.ORG_ADMIN])
    record_many(n, actor=cast.b[Role.ORG_ADMIN])
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert response.status_code == 200


# --- How changes are laid out ---------------------------------------------------------------------


def test_change_rows_tell_pairs_withheld_values_and_other_values_apart():
    event = AuditEvent(
        action=AuditAction.CREATE,
        changes={"name": [None, "Sok"], "phone": None, "tags": ["a", "b", "c"], "n": 3},
    )

    assert change_rows(event) == [
        ChangeRow(name="name", withheld=False, is_pair=True, old="", new="Sok"),
        ChangeRow(name="phone", withheld=True, is_pair=False),
        ChangeRow(name="tags", withheld=False, is_pair=False, value='["a", "b", "c"]'),
        ChangeRow(name="n", withheld=False, is_pair=False, value="3"),
    ]


def test_change_rows_show_changes_that_are_not_a_mapping_as_they_are():
    # Only a tampered row holds such a value; the page must still show it, not fail.
    event = AuditEvent(action=AuditAction.UPDATE, changes=["forged"])

    assert change_rows(event) == [
        ChangeRow(name="", withheld=False, is_pair=False, value='["forged"]')
    ]
