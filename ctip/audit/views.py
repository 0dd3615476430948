"""The audit log pages: organisation admins see their organisation's events, system admins all.

Read-only: the log is written by services only (`audit_record`), and never changed.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from ctip.access.decorators import permission_required
from ctip.access.policy import can
from ctip.accounts.roles import Perm

from .forms import AuditFilterForm
from .models import AuditAction, AuditEvent
from .selectors import audit_event_get_for_user, audit_event_list

PAGE_SIZE = 50


def _partial_wanted(request: HttpRequest) -> bool:
    # htmx swaps the table only; a history restore after a cache miss needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


@permission_required(Perm.AUDIT_VIEW_OWN_ORG, Perm.AUDIT_VIEW_ALL)
def event_list(request: HttpRequest) -> HttpResponse:
    """The events the user may see, newest first, 50 a page, filtered by the query string."""
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(user=request.user, **form.filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sees_all": can(request.user, Perm.AUDIT_VIEW_ALL),
    }
    template = "audit/_event_table.html" if _partial_wanted(request) else "audit/event_list.html"
    response = render(request, template, context)
    # The same URL answers a whole page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@dataclass(frozen=True)
class ChangeRow:
    name: str
    withheld: bool
    is_pair: bool
    old: str = ""
    new: str = ""
    value: str = ""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def change_rows(event: AuditEvent) -> list[ChangeRow]:
    """The event's changes as rows: [old, new] pairs, withheld (null) values, or other values.

    A sensitive field's value is stored as null, so null means "withheld", never "empty".
    A read event lists the fields shown, which is a value rather than a change.
    """
    if not isinstance(event.changes, dict):
        return [ChangeRow(name="", withheld=False, is_pair=False, value=_shown(event.changes))]
    rows = []
    for name, value in event.changes.items():
        if value is None:
            rows.append(ChangeRow(name=name, withheld=True, is_pair=False))
        elif isinstance(value, list) and len(value) == 2 and event.action != AuditAction.READ:
            rows.append(
                ChangeRow(
                    name=name,
                    withheld=False,
                    is_pair=True,
                    old=_shown(value[0]),
                    new=_shown(value[1]),
                )
            )
        else:
            rows.append(ChangeRow(name=name, withheld=False, is_pair=False, value=_shown(value)))
    return rows


@permission_required(Perm.AUDIT_VIEW_OWN_ORG, Perm.AUDIT_VIEW_ALL)
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    """One event with its full hashes; 404 when it does not exist or is not the user's to see."""
    event = audit_event_get_for_user(user=request.user, seq=seq)
    return render(
        request,
        "audit/event_detail.html",
        {"event": event, "changes": change_rows(event)},
    )
