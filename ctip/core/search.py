"""Searches that never put what was typed into a URL.

A name or a phone number in a query string ends up in browser history, proxy and access logs
and Referer headers. So a search page takes its terms by POST, keeps them in the user's session
under a short-lived random id, and redirects to `?s=<id>` (POST-redirect-GET): pagination, the
back button and reloading keep working, and the URL says nothing about who was searched for.

Pages: `remember()` answers the POST, `recall()` reads the terms back on the GET.
API: lists refuse a `q` query parameter (`refuse_terms_in_url`) and point to their POST
`search/` endpoint, which takes the terms in a JSON body.
"""

import secrets
import time
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

SESSION_KEY = "ctip_searches"
LIFETIME = 30 * 60  # seconds since the search was last used
KEPT = 20  # per session; live search saves one per pause in typing, the oldest go first
PARAM = "s"


@dataclass(frozen=True)
class Search:
    """The terms of a remembered search (empty when there is none)."""

    terms: dict[str, str] = field(default_factory=dict)
    id: str = ""
    expired: bool = False  # an id was given that is unknown, expired or another user's

    def get(self, name: str) -> str:
        return self.terms.get(name, "")

    def params(self) -> dict[str, str]:
        """What a link back to the same results carries: the id, never the terms."""
        return {PARAM: self.id} if self.id else {}


def _entries(request: HttpRequest) -> dict:
    """The session's unexpired searches (expired ones are dropped on the way)."""
    now = time.time()
    entries = request.session.get(SESSION_KEY, {})
    return {sid: e for sid, e in entries.items() if e.get("until", 0) > now}


def remember(
    request: HttpRequest, scope: str, terms: dict[str, str], public: dict[str, str] | None = None
) -> HttpResponseRedirect:
    """Answers a search POST: keeps `terms` for this user and redirects to the same page with
    `?s=<id>` (plus the non-personal `public` filters, e.g. a status). No terms, no id."""
    terms = {name: value.strip() for name, value in terms.items() if value.strip()}
    params = {name: value for name, value in (public or {}).items() if value}
    if terms:
        sid = secrets.token_urlsafe(12)
        entries = _entries(request)
        entries[sid] = {
            "scope": scope,
            "user": str(request.user.pk),
            "terms": terms,
            "until": time.time() + LIFETIME,
        }
        newest = sorted(entries.items(), key=lambda item: item[1]["until"])[-KEPT:]
        request.session[SESSION_KEY] = dict(newest)
        params = {PARAM: sid, **params}
    return HttpResponseRedirect(request.path + (f"?{urlencode(params)}" if params else ""))


def recall(request: HttpRequest, scope: str) -> Search:
    """The search `?s=` names, if it is this user's, for this page, and still alive."""
    sid = request.GET.get(PARAM, "")
    if not sid:
        return Search()
    entries = _entries(request)
    entry = entries.get(sid)
    if entry is None or entry["scope"] != scope or entry["user"] != str(request.user.pk):
        request.session[SESSION_KEY] = entries
        return Search(expired=True)
    entry["until"] = time.time() + LIFETIME  # still in use: paging on keeps it alive
    request.session[SESSION_KEY] = entries
    return Search(terms=dict(entry["terms"]), id=sid)


def refuse_terms_in_url(request, search_url: str, names: tuple[str, ...] = ("q",)) -> None:
    """An API list given search terms in its query string answers 400, pointing to the POST
    endpoint: the terms have leaked into logs already, but the caller learns not to again."""
    if any(name in request.query_params for name in names):
        message = _(
            "Search terms are not accepted in the URL, where they would be logged. "
            "Send them in a JSON body by POST to %(url)s."
        ) % {"url": search_url}
        raise ValidationError({name: [message] for name in names if name in request.query_params})
