"""Every action on a page has an API operation that does the same through the same service,
or is listed here as one that is not for scripts, or as a known gap of the API (docs/api.md
names the gaps). A new page action without either fails this test; an API operation named
here that no longer exists fails it too."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.security.test_battery import PAGES

A = "/api/v1"

# Page (URL name) -> the API operation that does the same.
COUNTERPARTS = {
    "entry-edit": ("PATCH", f"{A}/entries/{{id}}/"),
    "entry-start": ("POST", f"{A}/entries/"),
    "entry-withdraw": ("POST", f"{A}/entries/{{id}}/withdraw/"),
    "entry-reopen": ("POST", f"{A}/entries/{{id}}/reopen/"),
    "entry-publication": ("POST", f"{A}/entries/{{id}}/publication-consent/"),
    "entry-poster": ("POST", f"{A}/entries/{{id}}/poster/"),
    "entry-gallery": ("POST", f"{A}/entries/{{id}}/gallery-approval/"),
    "initiative-edit": ("PUT", f"{A}/initiative/"),
    "jury-review": ("PUT", f"{A}/assignments/{{id}}/review/"),
    "jury-review-heartbeat": ("POST", f"{A}/assignments/{{id}}/review/heartbeat/"),
    "jury-conflict": ("POST", f"{A}/assignments/{{id}}/conflict/"),
    "jury-round-open": ("POST", f"{A}/rounds/{{id}}/open/"),
    "jury-round-close": ("POST", f"{A}/rounds/{{id}}/close/"),
    "jury-round-reopen": ("POST", f"{A}/rounds/{{id}}/reopen/"),
    "jury-round-detect": ("POST", f"{A}/rounds/{{id}}/find-conflicts/"),
    "jury-round-remind": ("POST", f"{A}/rounds/{{id}}/remind/"),
    "edition-new": ("POST", f"{A}/editions/"),
    "edition-setup": ("PATCH", f"{A}/editions/{{slug}}/"),
    "category-add": ("POST", f"{A}/editions/{{slug}}/categories/"),
    "category-change": ("PATCH", f"{A}/categories/{{id}}/"),
    "round-new": ("POST", f"{A}/rounds/"),
    "round-settings": ("PATCH", f"{A}/rounds/{{id}}/"),
    "round-rubric": ("POST", f"{A}/rounds/{{id}}/criteria/"),
    "jury-round-invite": ("POST", f"{A}/rounds/{{id}}/invitations/"),
    "jury-round-propose": ("POST", f"{A}/rounds/{{id}}/assignment-proposal/"),
    "jury-round-commit": ("POST", f"{A}/rounds/{{id}}/assignment/"),
    "jury-round-tie": ("POST", f"{A}/rounds/{{id}}/tie-decisions/"),
    "jury-ties": ("POST", f"{A}/me/ties/"),
    "jury-round-dismiss": ("POST", f"{A}/conflicts/{{id}}/dismiss/"),
    "jury-round-decide-review": ("POST", f"{A}/conflicts/{{id}}/review-decision/"),
    "jury-round-shortlist": ("POST", f"{A}/rounds/{{id}}/shortlist/"),
    "jury-round-second-factor": ("POST", f"{A}/editions/{{slug}}/jury-second-factor/"),
    "results-manage": ("POST", f"{A}/editions/{{slug}}/results/publish/"),
}
# Pages for people, not scripts: signing in and out, two-step sign-in, the language, and
# making API tokens (a script has one already); a juror's own agreement to the confidentiality
# terms (the invitation and changed terms) is given by the person, in the page.
NOT_FOR_SCRIPTS = {
    "login",
    "logout",
    "magic-link",
    "magic-request",
    "set_language",
    "second-factor-setup",
    "second-factor-verify",
    "api-tokens",
    "api-token-revoke",
    "jury-invitation",
    "jury-terms",
}
# Page actions the API does not have yet (docs/api.md says so). Keep this list empty.
KNOWN_GAPS: set[str] = set()


def _page_actions() -> set[str]:
    return {name for name, page in PAGES.items() if "POST" in page.methods}


def test_every_page_action_has_an_api_counterpart_or_a_reason():
    unaccounted = _page_actions() - set(COUNTERPARTS) - NOT_FOR_SCRIPTS - KNOWN_GAPS
    assert unaccounted == set()


def test_the_lists_do_not_overlap_or_name_pages_that_are_gone():
    lists = [set(COUNTERPARTS), NOT_FOR_SCRIPTS, KNOWN_GAPS]
    assert sum(len(names) for names in lists) == len(set().union(*lists))
    assert set().union(*lists) <= _page_actions()


@pytest.mark.django_db
def test_every_counterpart_is_an_operation_of_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operations = {(method.upper(), path) for path, item in paths.items() for method in item}
    missing = {page: op for page, op in COUNTERPARTS.items() if op not in operations}
    assert missing == {}
