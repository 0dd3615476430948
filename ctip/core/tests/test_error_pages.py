"""CTIP's own 403, 404 and 500 pages: in the user's language, with a way back, the same with
DEBUG on or off; a 403 says what is missing, never which record; the API answers JSON."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ctip import urls as ctip_urls
from ctip.accounts.roles import Role
from ctip.cases.services import case_open
from ctip.core.testing import as_verified, verified_client
from ctip.core.views import server_error
from ctip.people.services import person_create

# Existing Khmer translations: the page really is in Khmer, not only marked lang="km".
BACK_HOME_KM = "ត្រឡប់ទៅទំព័រដើម"  # "Back to the start page"
NOT_ALLOWED_KM = "មិនអនុញ្ញាត"  # "Not allowed"
SECRET = "PNH-2026-000999 Sreyleak"  # what a failing view knew, never to be shown


# --- a test-only URLconf: CTIP's URLs and handlers, plus views that fail -----------------------


def _boom(request):
    raise RuntimeError(f"failed while reading {SECRET}")


urlpatterns = [
    path("test-boom/", _boom),
    path("api/v1/test-boom/", _boom),
    *ctip_urls.urlpatterns,
]
handler403 = ctip_urls.handler403
handler404 = ctip_urls.handler404
handler500 = ctip_urls.handler500


def _in(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def _assert_page(response, status: int, lang: str, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert f'<html lang="{lang}">' in body
    assert _in(lang, heading) in body
    home = reverse("core:home")
    assert f'<a href="{home}">{_in(lang, "Back to the start page")}</a>' in body
    if lang == "km":
        assert BACK_HOME_KM in body
    return body


def _shown(body: str, path: str) -> str:
    """The page without the language switcher's return address (the URL the user is on)."""
    hidden = f'<input name="next" type="hidden" value="{path}">'
    assert body.count(hidden) <= 1
    return body.replace(hidden, "")


@pytest.fixture
def case(cast):
    survivor = person_create(
        actor=cast.a[Role.CASE_WORKER],
        given_name="Sreyleak",
        family_name="Chan",
        name_km="ចាន់ ស្រីលក្ខណ៍",
        sex="f",
        estimated_age=14,
        age_estimation="self",
    )
    return case_open(
        actor=cast.a[Role.CASE_WORKER],
        person=survivor,
        supervisor=cast.a[Role.CASE_SUPERVISOR],
        opened_on=timezone.localdate(),
    )


# --- 404 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "km"])
def test_an_unknown_page_answers_ctips_404_in_the_browsers_language(lang):
    response = Client().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=lang)
    body = _assert_page(response, 404, lang, "Page not found")
    assert "/no/such/page/" not in _shown(body, "/no/such/page/")


@pytest.mark.django_db
def test_another_organisations_record_gets_the_same_404_as_a_missing_one(cast, case):
    client = verified_client(cast.b[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    url = reverse("cases:detail", args=[case.uuid])
    body = _shown(_assert_page(client.get(url), 404, "km", "Page not found"), url)
    for identifier in (str(case.uuid), case.number, "Sreyleak", "ស្រីលក្ខណ៍"):
        assert identifier not in body
    import uuid

    other_url = reverse("cases:detail", args=[uuid.uuid4()])
    missing = client.get(other_url)
    assert missing.status_code == 404
    # Word for word the same page (but the CSRF token, masked anew on every response): nothing
    # tells "not yours" from "does not exist".
    import re

    def unmasked(page: str) -> str:
        return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", page)

    assert unmasked(_shown(missing.content.decode(), other_url)) == unmasked(body)


@pytest.mark.django_db
def test_a_404_links_back_to_the_page_the_user_came_from(cast, case):
    client = verified_client(cast.b[Role.CASE_WORKER])
    came_from = "http://testserver" + reverse("cases:list")
    response = client.get(reverse("cases:detail", args=[case.uuid]), HTTP_REFERER=came_from)
    body = _assert_page(response, 404, "en", "Page not found")
    assert f'<a href="{came_from}">Back to the previous page</a>' in body
    elsewhere = client.get(
        reverse("cases:detail", args=[case.uuid]), HTTP_REFERER="https://evil.example/x"
    )
    assert "evil.example" not in elsewhere.content.decode()


# --- 403 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_403_names_the_missing_role_in_the_users_language_and_not_the_record(cast, case, lang):
    # The hotline operator of the case's own organisation may not open cases at all.
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    # The language as the app sets it: the language switcher in the page header.
    client.post(reverse("set_language"), {"language": lang, "next": "/"})
    url = reverse("cases:detail", args=[case.uuid])
    body = _shown(_assert_page(client.get(url), 403, lang, "Not allowed"), url)
    if lang == "km":
        assert NOT_ALLOWED_KM in body
    with translation.override(lang):
        assert str(Role.CASE_WORKER.label) in body
    for identifier in (str(case.uuid), case.number, "Sreyleak", "ស្រីលក្ខណ៍"):
        assert identifier not in body


@pytest.mark.django_db
def test_a_403_says_when_the_organisation_is_not_active(cast, case):
    client = verified_client(cast.a[Role.CASE_WORKER])
    cast.org_a.is_active = False
    cast.org_a.save()
    response = client.get(reverse("cases:detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="en")
    body = _assert_page(response, 403, "en", "Not allowed")
    assert "Your organisation is not active in CTIP" in body
    assert case.number not in body


@pytest.mark.django_db
def test_a_bare_refusal_still_says_what_to_do(cast, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied

    from ctip.core.views import permission_denied

    request = rf.get("/cases/")
    request.user = as_verified(cast.a[Role.CASE_WORKER])
    request.session = {}
    request._messages = FallbackStorage(request)
    body = permission_denied(request, PermissionDenied()).content.decode()
    assert "Your roles do not allow this. Ask your organisation admin." in body
    request.user = AnonymousUser()
    assert "Sign in first." in permission_denied(request, PermissionDenied()).content.decode()


# --- 500 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_failing_view_answers_ctips_500_in_the_users_language(cast, lang):
    client = verified_client(cast.a[Role.CASE_WORKER])
    client.raise_request_exception = False
    response = client.get("/test-boom/", HTTP_ACCEPT_LANGUAGE=lang)
    body = _assert_page(response, 500, lang, "Something went wrong")
    assert SECRET not in body and "Sreyleak" not in body and "RuntimeError" not in body
    # Static: no menu, no user, no form (nothing that needs the session or the database).
    assert cast.a[Role.CASE_WORKER].full_name not in body
    assert "csrfmiddlewaretoken" not in body and "<nav" not in body


def test_the_500_page_renders_without_a_database_or_a_request_context():
    # No django_db mark: any query raises here, and the page is not the plain fallback.
    with translation.override("km"):
        response = server_error(RequestFactory().get("/cases/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="km">' in body and BACK_HOME_KM in body
    assert _in("km", "Something went wrong") in body
    assert 'rel="stylesheet"' in body


def test_the_500_page_renders_unstyled_when_static_files_are_not_collected(settings):
    # Production serves hashed names from a manifest: without collectstatic it is missing.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-ctip-static"
    body = server_error(RequestFactory().get("/")).content.decode()
    assert "<h1>Something went wrong</h1>" in body
    assert 'rel="stylesheet"' not in body


def test_the_production_profile_uses_ctips_error_pages():
    from ctip.core.tests.test_deploy_check import ROOT, deploy_env

    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env |= deploy_env()
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import RequestFactory\n"
        "from django.urls import get_resolver\n"
        "from django.utils import translation\n"
        "r = get_resolver()\n"
        "print(settings.DEBUG, *(r.resolve_error_handler(c).__name__ for c in (403, 404, 500)))\n"
        "translation.activate('km')\n"
        "body = r.resolve_error_handler(500)(RequestFactory().get('/')).content.decode()\n"
        "print('lang=km' if '<html lang=\"km\">' in body else body)\n"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "False permission_denied page_not_found server_error",
        "lang=km",
    ], result.stdout + result.stderr


# --- DEBUG=1 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_debug_on_ctips_own_403_and_404_still_show_ctips_pages(cast, case, settings):
    settings.DEBUG = True
    outsider = verified_client(cast.b[Role.CASE_WORKER])
    not_yours = outsider.get(reverse("cases:detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="km")
    body = _assert_page(not_yours, 404, "km", "Page not found")
    assert "URLconf" not in body and case.number not in body
    refused = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(
        reverse("cases:detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="km"
    )
    _assert_page(refused, 403, "km", "Not allowed")
    # An unknown URL keeps Django's technical page in development: it lists the URL patterns.
    unknown = outsider.get("/no/such/page/")
    assert unknown.status_code == 404 and "URLconf" in unknown.content.decode()


# --- the API answers JSON -----------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_api_answers_errors_in_json_not_html(cast, case):
    # A statistics officer may not use the matching queue (403), like any other endpoint.
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    client.raise_request_exception = False
    for url, status in (
        ("/api/v1/no-such-endpoint/", 404),
        (reverse("api-match-candidates"), 403),
        ("/api/v1/test-boom/", 500),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="km")
        assert response.status_code == status, url
        assert response["Content-Type"].startswith("application/json"), url
        assert "detail" in response.json() and SECRET not in response.content.decode()
