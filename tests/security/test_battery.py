"""The security battery: every page of the site, called as the wrong people.

Built from the URL resolver: every URL pattern of ``config.urls`` outside the API (which has its
own permission matrix, tests/test_permission_matrix.py) must have a row in PAGES, or be one of
the admin's pages (ADMIN, one rule for all of them). A new page without a row fails
``test_every_page_has_a_row``: add the row, by hand, with what the page must answer.

Checked for every page, on the world of the permission matrix (tests/api_world.py: data that
could leak):
- anonymous callers get the sign-in redirect (or, for public pages, the page without private
  data); never a 500;
- the owner's GET gets the stated status (so the other checks address a real object);
  a POST-only page answers 405 to GET;
- wrong roles get 403 or 404 (hidden objects: 404), on GET and on POST, and a POST changes
  nothing in the database;
- CSRF: a POST without a token gets 403 and changes nothing, on every page (the middleware
  guards them all; the two read-only API-docs views are exempt, see CSRF_EXEMPT);
- open redirects: ``next=`` on the sign-in form, the sign-in link request, the language switch
  and sign-out never sends anyone off-site;
- security headers on every answer (redirects, 403 and 404 included).

How to extend: a new page gets a row in PAGES (its methods, what anonymous callers get, who owns
it, its URL arguments from the world, the wrong roles and their statuses). Run with
``python -m pytest tests/security -q`` (see docs/security.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from common.enums import Role
from common.models import ApiToken
from jury.models import JurorTie
from tests.api_world import JUROR_REMARK, MOTIVATION, World, build_world
from tests.factories import PASSWORD, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "sign-in"  # 302 to the sign-in link page, with next= this page
ADMIN_SIGN_IN = "admin-sign-in"  # 302 to the admin's sign-in page, with next= this page
ANY = ("GET", "POST")

# Text in the world that only its owner (and organisers) may see: never in an answer to
# anonymous callers or wrong roles.
PRIVATE = (
    MOTIVATION,
    JUROR_REMARK,
    "Concept van A",
    "Concept van B",
    "Ingetrokken van A",
    "entrant.a@example.org",
    "entrant.b@example.org",
    "juror_assigned@example.org",
    "Zelfde gemeente.",
    "Buurman van de maker.",
)


@dataclass(frozen=True)
class Page:
    """What one page must answer.

    methods: the methods it serves (a POST-only page answers 405 to GET);
    anonymous: per method, SIGN_IN or a status (or a tuple of allowed statuses);
    owner: a role that may use it ("anonymous" for public pages);
    owner_get: the status of the owner's GET (None: not checked, with a reason in the row);
    kwargs: the URL arguments, from the world;
    wrong: role -> status of that role's GET (and POST, for pages that take POST);
    post: form data for the POSTs (the wrong roles' and the CSRF check's).
    """

    methods: tuple[str, ...]
    anonymous: dict[str, object]
    owner: str
    owner_get: int | None = 200
    kwargs: Callable[[World], dict] = lambda w: {}
    wrong: dict[str, object] = field(default_factory=dict)
    post: Callable[[World], dict] = lambda w: {}


def _signed_in(methods=ANY) -> dict[str, object]:
    return dict.fromkeys(methods, SIGN_IN)


# Wrong roles for organisers' pages: an entrant (whose entry it may be) and jurors.
NOT_ORGANISERS = {"entrant_a": 404, "juror_assigned": 404, "juror_conflicted": 404}
ROUND = lambda w: {"pk": w.round.pk}  # noqa: E731
CLOSED = lambda w: {"pk": w.closed.pk}  # noqa: E731
EDITION = lambda w: {"slug": w.edition.slug}  # noqa: E731

PAGES: dict[str, Page] = {
    # Public pages and sign-in.
    "home": Page(("GET",), {"GET": 200}, "anonymous"),
    "healthz": Page(("GET",), {"GET": (200, 503)}, "anonymous", owner_get=None),  # 503: a part down
    "set_language": Page(
        ANY,
        {"GET": 302, "POST": 302},
        "anonymous",
        owner_get=302,
        post=lambda w: {"language": "en"},
    ),
    # The POSTs carry the right address and password: the sign-in works (302), privately.
    "login": Page(
        ANY,
        {"GET": 200, "POST": 302},
        "anonymous",
        post=lambda w: {"username": w.entrant_a.email, "password": PASSWORD},
    ),
    "logout": Page(("POST",), {"GET": 405, "POST": 302}, "entrant_a"),
    "magic-request": Page(
        ANY, {"GET": 200, "POST": 302}, "anonymous", post=lambda w: {"email": w.entrant_a.email}
    ),
    "magic-sent": Page(("GET",), {"GET": 200}, "anonymous"),
    # GET shows a button (mail scanners must not use links up); POST with a bad token: 400.
    "magic-link": Page(
        ANY,
        {"GET": 200, "POST": 400},
        "anonymous",
        kwargs=lambda w: {"token": "geen-echte-sleutel"},
    ),
    "api-schema": Page(("GET",), {"GET": 200}, "anonymous"),
    "api-docs": Page(("GET",), {"GET": 200}, "anonymous"),
    # Organisers' API tokens: their own only (another organiser's token is hidden: 404).
    "api-tokens": Page(ANY, _signed_in(), "organiser", wrong=NOT_ORGANISERS),
    "organiser-home": Page(("GET",), _signed_in(("GET",)), "organiser", wrong=NOT_ORGANISERS),
    # Two-step sign-in: anyone signed in may set up an authenticator; the second step sends
    # someone who passed it (or has no authenticator) on to the page they wanted.
    "second-factor-setup": Page(ANY, _signed_in(), "entrant_a", post=lambda w: {"code": "1"}),
    "second-factor-verify": Page(
        ANY, _signed_in(), "organiser", owner_get=302, post=lambda w: {"code": "1"}
    ),
    "api-token-revoke": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"pk": w.extra["token_pk"]},
        wrong={**NOT_ORGANISERS, "organiser_b": 404},
    ),
    # The public pages of an edition.
    "public-edition": Page(
        ("GET",), {"GET": 200}, "anonymous", kwargs=lambda w: {"slug": w.edition.slug}
    ),
    "public-winners": Page(
        ("GET",), {"GET": 200}, "anonymous", kwargs=lambda w: {"slug": w.edition.slug}
    ),
    "public-gallery": Page(
        ("GET",), {"GET": 200}, "anonymous", kwargs=lambda w: {"slug": w.edition.slug}
    ),
    "public-entry": Page(
        ("GET",),
        {"GET": 200},
        "anonymous",
        kwargs=lambda w: {"slug": w.edition.slug, "number": w.x.number},
    ),
    # A redirect to a presigned URL of the poster on the storage.
    "public-poster": Page(
        ("GET",),
        {"GET": 302},
        "anonymous",
        owner_get=302,
        kwargs=lambda w: {"slug": w.edition.slug, "number": w.x.number},
    ),
    # Entrants: their own initiative and entries (others' entries are hidden: 404).
    "entry-list": Page(("GET",), _signed_in(("GET",)), "entrant_a"),
    "initiative-edit": Page(ANY, _signed_in(), "entrant_a"),
    "entry-start": Page(
        ("POST",), _signed_in(), "entrant_a", kwargs=lambda w: {"slug": w.edition.slug}
    ),
    "entry-edit": Page(
        ANY,
        _signed_in(),
        "entrant_a",
        kwargs=lambda w: {"pk": w.a_draft.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404, "organiser": 404},
    ),
    "entry-withdraw": Page(
        ("POST",),
        _signed_in(),
        "entrant_a",
        kwargs=lambda w: {"pk": w.x.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404, "organiser": 404},
        post=lambda w: {"confirm": "1"},
    ),
    "entry-poster": Page(
        ("POST",),
        _signed_in(),
        "entrant_a",
        kwargs=lambda w: {"pk": w.a_draft.pk},
        post=lambda w: {"seconds": "1"},
        wrong={"entrant_b": 404, "juror_assigned": 404, "organiser": 404},
    ),
    "entry-publication": Page(
        ("POST",),
        _signed_in(),
        "entrant_a",
        kwargs=lambda w: {"pk": w.x.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404, "organiser": 404},
    ),
    "entry-gallery": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"pk": w.x.pk},
        wrong=NOT_ORGANISERS,
        post=lambda w: {"approved": "1"},
    ),
    "entry-reopen": Page(
        ("POST",),
        _signed_in(),
        "entrant_a",
        kwargs=lambda w: {"pk": w.a_withdrawn.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404, "organiser": 404},
        post=lambda w: {"confirm": "1"},
    ),
    "entry-detail": Page(
        ("GET",),
        _signed_in(("GET",)),
        "entrant_a",
        kwargs=lambda w: {"pk": w.a_draft.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404},
    ),
    "entry-vlog-status": Page(
        ("GET",),
        _signed_in(("GET",)),
        "entrant_a",
        kwargs=lambda w: {"pk": w.a_draft.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404},
    ),
    # The world's vlogs have no storyboard: the owner gets 404 too, so only "hidden" is shown.
    "entry-storyboard": Page(
        ("GET",),
        _signed_in(("GET",)),
        "entrant_a",
        owner_get=404,
        kwargs=lambda w: {"pk": w.a_draft.pk},
        wrong={"entrant_b": 404, "juror_assigned": 404},
    ),
    # Organisers only (the entrant of the entry too gets 404); a redirect to a presigned URL.
    "entry-original": Page(
        ("GET",),
        _signed_in(("GET",)),
        "organiser",
        owner_get=302,
        kwargs=lambda w: {"pk": w.x.pk},
        wrong=NOT_ORGANISERS,
    ),
    # Setting up an edition, its categories and its rounds.
    "edition-new": Page(ANY, _signed_in(), "organiser", wrong=NOT_ORGANISERS),
    "edition-setup": Page(ANY, _signed_in(), "organiser", kwargs=EDITION, wrong=NOT_ORGANISERS),
    "edition-entries": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=EDITION, wrong=NOT_ORGANISERS
    ),
    "category-add": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=EDITION,
        wrong=NOT_ORGANISERS,
        post=lambda w: {"new-name": "Nieuw", "new-slug": "nieuw", "new-position": "3"},
    ),
    "category-change": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"pk": w.edition.categories.first().pk},
        wrong=NOT_ORGANISERS,
        post=lambda w: {"delete": "1"},
    ),
    "round-new": Page(ANY, _signed_in(), "organiser", kwargs=EDITION, wrong=NOT_ORGANISERS),
    "edition-export": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=EDITION, wrong=NOT_ORGANISERS
    ),
    "edition-export-csv": Page(
        ("GET",),
        _signed_in(("GET",)),
        "organiser",
        kwargs=lambda w: {"slug": w.edition.slug, "sheet": "winnaars"},
        wrong=NOT_ORGANISERS,
    ),
    "round-settings": Page(ANY, _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS),
    "round-rubric": Page(
        ANY,
        _signed_in(),
        "organiser",
        kwargs=ROUND,
        wrong=NOT_ORGANISERS,
        post=lambda w: {"action": "delete", "criterion": w.criterion_id},
    ),
    "results-manage": Page(
        ANY,
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"slug": w.edition.slug},
        wrong=NOT_ORGANISERS,
    ),
    # Jurors: their own assignments (another juror's, or a conflicted one: 404).
    "jury-home": Page(("GET",), _signed_in(("GET",)), "juror_assigned"),
    # An unknown invitation: 400 with a clear message.
    "jury-invitation": Page(
        ANY,
        {"GET": 400, "POST": 400},
        "anonymous",
        owner_get=400,
        kwargs=lambda w: {"token": "geen-echte-sleutel"},
    ),
    # Accepting changed confidentiality terms: only for a member who accepted the invitation.
    "jury-terms": Page(
        ANY,
        _signed_in(),
        "juror_assigned",
        kwargs=ROUND,
        post=lambda w: {"terms": "on"},
        wrong={"entrant_a": 404, "organiser": 404},
    ),
    "jury-review": Page(
        ANY,
        _signed_in(),
        "juror_assigned",
        kwargs=lambda w: {"pk": w.ja_x.pk},
        wrong={
            "juror_unassigned": 404,
            "juror_conflicted": 404,
            "entrant_a": 404,
            "organiser": 404,
        },
    ),
    # The player's heartbeat (JSON): only for the juror's own assignment.
    "jury-review-heartbeat": Page(
        ("POST",),
        _signed_in(),
        "juror_assigned",
        kwargs=lambda w: {"pk": w.ja_x.pk},
        wrong={
            "juror_unassigned": 404,
            "juror_conflicted": 404,
            "entrant_a": 404,
            "organiser": 404,
        },
    ),
    "jury-conflict": Page(
        ("POST",),
        _signed_in(),
        "juror_assigned",
        kwargs=lambda w: {"pk": w.ja_x.pk},
        post=lambda w: {"reason": "Ik ken de makers goed."},
        wrong={
            "juror_unassigned": 404,
            "juror_conflicted": 404,
            "entrant_a": 404,
            "organiser": 404,
        },
    ),
    # Anyone signed in keeps their own ties; deleting another's tie deletes nothing.
    "jury-ties": Page(
        ANY,
        _signed_in(),
        "juror_assigned",
        post=lambda w: {"delete": str(w.extra["tie_pk"])},
        wrong={"juror_unassigned": (200, 302)},
    ),
    # Organisers' round pages: 404 for everyone else.
    "jury-round": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-invite": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=ROUND,
        post=lambda w: {"email": "nieuw@example.org"},
        wrong=NOT_ORGANISERS,
    ),
    "jury-round-detect": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-decide-review": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"pk": w.round.pk, "conflict_pk": w.conflict.pk},
        wrong=NOT_ORGANISERS,
    ),
    "jury-round-dismiss": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=lambda w: {"pk": w.round.pk, "conflict_pk": w.conflict.pk},
        wrong=NOT_ORGANISERS,
    ),
    "jury-round-propose": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-commit": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-remind": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-close": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-second-factor": Page(
        ("POST",), _signed_in(), "organiser", kwargs=ROUND, wrong=NOT_ORGANISERS
    ),
    "jury-round-open": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=ROUND,
        wrong=NOT_ORGANISERS,
        post=lambda w: {"confirm": "1"},
    ),
    "jury-round-reopen": Page(
        ("POST",),
        _signed_in(),
        "organiser",
        kwargs=CLOSED,
        wrong=NOT_ORGANISERS,
        post=lambda w: {"confirm": "1", "reason": "Opnieuw"},
    ),
    "jury-round-ranking": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=CLOSED, wrong=NOT_ORGANISERS
    ),
    "jury-round-ranking-csv": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=CLOSED, wrong=NOT_ORGANISERS
    ),
    "jury-round-export": Page(
        ("GET",),
        _signed_in(("GET",)),
        "organiser",
        kwargs=lambda w: {"pk": w.closed.pk, "kind": "beoordelingen", "fmt": "csv"},
        wrong=NOT_ORGANISERS,
    ),
    "jury-round-certificate": Page(
        ("GET",), _signed_in(("GET",)), "organiser", kwargs=CLOSED, wrong=NOT_ORGANISERS
    ),
    "jury-round-shortlist": Page(
        ANY,
        _signed_in(),
        "organiser",
        kwargs=CLOSED,
        post=lambda w: {"action": "remove", "entry": str(w.x.pk)},
        wrong=NOT_ORGANISERS,
    ),
    "jury-round-tie": Page(
        ("POST",), _signed_in(), "organiser", kwargs=CLOSED, wrong=NOT_ORGANISERS
    ),
}

# Read-only DRF views (DRF exempts its views from Django's CSRF check and applies it itself
# to session-authenticated writes): a POST gets 405 and changes nothing.
CSRF_EXEMPT = {"api-schema": 405, "api-docs": 405}


# --- The URL resolver -------------------------------------------------------------------------


def _patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(namespace, name, route) of every URL pattern, included ones too."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(
                pattern, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        else:
            assert isinstance(pattern, URLPattern)
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def _is_api(route: str) -> bool:
    return route.removeprefix("^").startswith("api/") and route not in ("api/schema/", "api/docs/")


SITE_PAGES = sorted(
    name for namespace, name, route in _patterns() if namespace != "admin" and not _is_api(route)
)
ADMIN_ROUTES = sorted(route for namespace, _name, route in _patterns() if namespace == "admin")


def test_every_page_has_a_row():
    """A new page (or one renamed or gone) must be written into PAGES by hand."""
    assert None not in SITE_PAGES, "every page outside the API and the admin needs a name"
    assert sorted(PAGES) == SITE_PAGES


def test_the_api_is_covered_by_the_permission_matrix():
    """Every API route left out here is an operation of the matrix or its 404 fallback."""
    api = sorted(route for namespace, _n, route in _patterns() if _is_api(route))
    assert api and all(route.startswith(("api/v1/", "^api/")) for route in api)


# --- Helpers --------------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    w = build_world()
    w.extra["organiser_b"] = OrganiserFactory(email="organisator.b@example.org")
    w.extra["token_pk"] = ApiToken.objects.filter(user=w.organiser).first().pk
    w.extra["tie_pk"] = JurorTie.objects.create(
        user=w.juror_assigned, kind="organisation", value="Buurtkamer Oost"
    ).pk
    return w


def _user(world: World, role: str):
    return world.extra[role] if role in world.extra else world.user(role)


def sign_in(client: Client, user) -> Client:
    """The one place the battery signs people in (two-factor sign-in would go here)."""
    client.force_login(user)
    return client


def client_as(world: World, role: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    return client if role == "anonymous" else sign_in(client, _user(world, role))


def snapshot() -> dict[str, list]:
    """Every row of every table (the world is small): to show that nothing changed."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", headers
    assert headers.get("Referrer-Policy") in (
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    ), headers
    csp = headers.get("Content-Security-Policy", "")
    assert headers.get("X-Frame-Options") == "DENY" or "frame-ancestors 'none'" in csp, headers
    # Issue 11, finding 17: a strict policy, no inline script.
    directives = dict(part.strip().partition(" ")[::2] for part in csp.split(";") if part.strip())
    assert directives.get("default-src") == "'self'", csp
    assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), csp
    assert "'unsafe-eval'" not in directives.get("script-src", ""), csp
    assert "camera=()" in headers.get("Permissions-Policy", ""), headers


def assert_no_private_data(response) -> None:
    body = response.content.decode(errors="replace")
    leaked = [text for text in PRIVATE if text in body]
    assert not leaked, f"{response.request['PATH_INFO']} shows {leaked}"


def assert_outcome(response, expected, path: str) -> None:
    assert_security_headers(response)
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={quote(path)}"
    elif expected == ADMIN_SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next={quote(path)}"
    else:
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert response.status_code in allowed, (path, response.status_code)


def call(client: Client, method: str, path: str, data: dict | None = None):
    return client.get(path) if method == "GET" else client.post(path, data or {})


# --- Every page -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_get_sign_in_or_a_page_without_private_data(world, name):
    page = PAGES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    for method, expected in page.anonymous.items():
        before = snapshot()
        response = call(Client(), method, path, page.post(world))
        assert_outcome(response, expected, path)
        assert_no_private_data(response)
        if name not in ("login", "magic-request"):  # a sign-in may note the attempt
            assert snapshot() == before, (method, path)


# Pages whose owner's GET reaches the object storage (the S3 server is started for them).
STORAGE_PAGES = {"entry-original"}


@pytest.mark.parametrize("name", sorted(set(PAGES) - STORAGE_PAGES))
def test_owner_get(world, name):
    _owner_get(world, name)


@pytest.mark.storage
@pytest.mark.parametrize("name", sorted(STORAGE_PAGES))
def test_owner_get_from_storage(s3_server, world, name):
    """A test of its own, so that the S3 server (a session fixture) starts before the test
    changes any setting: started from inside a test, its settings were undone when that test
    ended, and later storage tests of a partial run reached no server."""
    _owner_get(world, name)


def _owner_get(world, name: str) -> None:
    page = PAGES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    response = client_as(world, page.owner).get(path)
    expected = 405 if "GET" not in page.methods else page.owner_get
    assert_security_headers(response)
    if expected is not None:
        assert response.status_code == expected, (path, response.status_code)


WRONG = [(name, role) for name, page in sorted(PAGES.items()) for role in page.wrong]


@pytest.mark.parametrize(("name", "role"), WRONG)
def test_wrong_role_gets_403_or_404_and_changes_nothing(world, name, role):
    page = PAGES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    expected = page.wrong[role]
    client = client_as(world, role)
    for method in page.methods:
        before = snapshot()
        response = call(client, method, path, page.post(world))
        assert_outcome(response, expected, path)
        assert_no_private_data(response)
        assert snapshot() == before, (method, path)
    assert mail.outbox == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_post_without_csrf_token_is_refused_and_changes_nothing(world, name):
    """Every page, whatever its methods: the CSRF middleware refuses the POST before the view
    runs. As the page's owner, with the form data of a POST that would otherwise work."""
    page = PAGES[name]
    path = reverse(name, kwargs=page.kwargs(world))
    client = client_as(world, page.owner, csrf=True)
    before = snapshot()
    response = client.post(path, page.post(world))
    assert_security_headers(response)
    if name in CSRF_EXEMPT:
        assert response.status_code == CSRF_EXEMPT[name]
    else:
        assert response.status_code == 403, (path, response.status_code)
        assert b"CSRF" in response.content
    assert snapshot() == before
    assert mail.outbox == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_signed_in_post_without_csrf_token_does_not_sign_out(world):
    client = client_as(world, "entrant_a", csrf=True)
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("entry-list")).status_code == 200


# --- The admin ------------------------------------------------------------------------------


def _admin_path(route: str) -> str:
    """A concrete address for an admin route (its arguments filled with an id that exists in
    no table, or with a registered app)."""
    route = (
        route.replace("^(?P<app_label>", "").split("|")[0] + "/" if "app_label" in route else route
    )
    route = route.replace("(?P<url>.*)$", "nergens/")
    for arg in ("<path:object_id>", "<path:content_type_id>", "<id>", "<int:pk>"):
        route = route.replace(arg, "999999")
    return "/" + route


# The sign-in page is open; a GET of sign-out (POST only) sends everyone to the index.
ADMIN_OPEN = {"beheer/login/": 200, "beheer/logout/": 302}


@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_admin_pages_need_staff(route):
    """Anonymous callers and signed-in people who are not staff get the admin's sign-in page;
    a POST without CSRF token is refused, also for staff."""
    path = _admin_path(route)
    entrant = UserFactory(role=Role.ENTRANT)
    juror = UserFactory(role=Role.JUROR)
    for client in (Client(), sign_in(Client(), entrant), sign_in(Client(), juror)):
        response = client.get(path)
        assert_outcome(response, ADMIN_OPEN.get(route, ADMIN_SIGN_IN), path)
    staff = sign_in(Client(enforce_csrf_checks=True), OrganiserFactory())
    before = snapshot()
    response = staff.post(
        path, {"post": "yes", "action": "delete_selected", "_selected_action": "1"}
    )
    assert_security_headers(response)
    assert response.status_code == 403 and b"CSRF" in response.content
    assert snapshot() == before


def test_admin_sign_in_without_csrf_token_is_refused():
    OrganiserFactory(email="beheer@example.org")
    response = Client(enforce_csrf_checks=True).post(
        reverse("admin:login"), {"username": "beheer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies


# --- Open redirects -------------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
    " //evil.example",
    "/\t/evil.example",
    "http://testserver@evil.example/",
]


def assert_stays_on_site(response, expected: str) -> None:
    """A redirect to ``expected`` (a path of this site), whatever ``next`` said."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    # Browsers read a backslash as a slash and drop tabs and spaces at the start.
    parts = urlsplit(location.replace("\\", "/").strip().replace("\t", ""))
    assert (parts.scheme, parts.netloc) == ("", ""), location
    assert location == expected


@pytest.mark.parametrize("evil", EVIL)
def test_sign_in_form_never_redirects_off_site(evil):
    user = UserFactory(email="iemand@example.org")
    response = Client().post(
        f"{reverse('login')}?next={quote(evil)}",
        {"username": user.email, "password": PASSWORD, "next": evil},
    )
    assert_stays_on_site(response, reverse(settings.LOGIN_REDIRECT_URL))
    assert Client().get(reverse("login"), {"next": evil}).context["next"] == ""


@pytest.mark.parametrize("evil", EVIL)
def test_sign_in_link_never_redirects_off_site(evil, django_capture_on_commit_callbacks):
    user = UserFactory(email="iemand@example.org")
    client = Client()
    form = client.get(reverse("magic-request"), {"next": evil})
    assert form.context["next"] == ""  # not carried into the form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("magic-request"), {"email": user.email, "next": evil})
    assert response.status_code == 302
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if word.startswith(settings.SITE_URL))
    parts = urlsplit(link)
    response = client.post(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert_stays_on_site(response, reverse("home"))
    assert client.get(reverse("entry-list")).status_code == 200  # signed in


@pytest.mark.parametrize("evil", EVIL)
def test_language_switch_never_redirects_off_site(evil):
    response = Client().post(
        reverse("set_language"), {"language": "en", "next": evil}, HTTP_REFERER=evil
    )
    assert_stays_on_site(response, "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize("evil", EVIL)
def test_sign_out_never_redirects_off_site(evil):
    client = sign_in(Client(), UserFactory())
    response = client.post(f"{reverse('logout')}?next={quote(evil)}", {"next": evil})
    assert_stays_on_site(response, reverse(settings.LOGOUT_REDIRECT_URL))
    assert client.get(reverse("entry-list")).status_code == 302  # signed out


@pytest.mark.parametrize("evil", EVIL)
def test_initiative_form_never_redirects_off_site(evil):
    """The initiative form's next= (sent there by "start an entry")."""
    client = sign_in(Client(), UserFactory())
    response = client.post(
        f"{reverse('initiative-edit')}?next={quote(evil)}",
        {"name": "Buurtkamer", "municipality": "Utrecht", "contact_name": "Sam"},
    )
    if response.status_code == 302:
        assert_stays_on_site(response, reverse("entry-list"))
    else:  # the form's fields changed: the row must be updated, not the check dropped
        pytest.fail(f"the initiative form was not accepted: {response.context['form'].errors}")
