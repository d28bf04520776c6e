"""A script sets up an edition, its categories, a round and its rubric through the API, from
an empty database, with the same rules as the organisers' pages (their forms check the
input, their services save it)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from common.models import AuditLog
from jury.models import Criterion, Round
from prijzen.models import Category, Edition, Wording
from tests.factories import EntryFactory, OrganiserFactory

pytestmark = pytest.mark.django_db
A = "/api/v1"
EDITION = {
    "name": "Vrijwilligersprijzen 2031",
    "slug": "prijs-2031",
    "year": 2031,
    "entries_open_at": "2031-01-01T09:00:00+01:00",
    "entries_close_at": "2031-03-01T23:59:00+01:00",
    "upload_grace_minutes": 30,
    "max_duration_seconds": 300,
    "entries_per_initiative": 1,
    "texts": {"privacy": "Wij bewaren jullie gegevens tot het einde van 2031."},
}
ROUND = {
    "name": "Voorronde",
    "kind": "selection",
    "opens_at": "2031-04-01T09:00:00+02:00",
    "closes_at": "2031-04-20T17:00:00+02:00",
    "jurors_per_entry": 2,
    "score_visibility": "after_close",
    "geography_rule": "municipality",
    "official_method": "trimmed_mean",
    "reminder_days_before": 3,
}


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(user=OrganiserFactory())
    return client


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["fields"]


def test_a_script_sets_up_an_edition_with_categories(api):
    early = {**EDITION, "entries_close_at": "2030-12-01T09:00:00+01:00"}
    reversed_dates = api.post(f"{A}/editions/", early, format="json")
    assert list(_fields(reversed_dates)) == ["entries_close_at"]
    typo = api.post(f"{A}/editions/", {**EDITION, "entries_open_at": "0203-01-01T09:00:00Z"})
    assert _fields(typo) == {"entries_open_at": ["Kies een moment tussen 2000 en 2100."]}
    form = api.post(f"{A}/editions/", {"name": "x"}, format="multipart")
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")
    assert not Edition.objects.exists()

    made = api.post(f"{A}/editions/", EDITION, format="json")

    assert made.status_code == 201, made.content
    edition = Edition.objects.get()
    assert (edition.slug, edition.upload_grace_minutes, edition.max_upload_bytes) == (
        "prijs-2031",
        30,
        2048 * 1024**2,
    )  # a new edition's defaults
    assert edition.gallery_review is True
    privacy = Wording.objects.get(edition=edition, kind="privacy")
    assert (privacy.version, privacy.text) == (1, EDITION["texts"]["privacy"])
    assert Wording.objects.filter(edition=edition).count() == 4
    assert "slug" in _fields(api.post(f"{A}/editions/", EDITION, format="json"))

    changed = api.patch(
        f"{A}/editions/prijs-2031/",
        {"theme": "Nieuwe gezichten", "texts": {"privacy": "Korter."}},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    edition.refresh_from_db()
    assert (edition.theme, edition.name, edition.upload_grace_minutes) == (
        "Nieuwe gezichten",
        "Vrijwilligersprijzen 2031",
        30,
    )  # the rest stays
    assert list(
        Wording.objects.filter(edition=edition, kind="privacy").values_list("version", flat=True)
    ) == [1, 2]

    for position, name in enumerate(["Lokaal", "Landelijk"]):
        added = api.post(
            f"{A}/editions/prijs-2031/categories/",
            {"name": name, "slug": name.lower(), "position": position},
            format="json",
        )
        assert added.status_code == 201, added.content
    taken = api.post(
        f"{A}/editions/prijs-2031/categories/",
        {"name": "Lokaal 2", "slug": "lokaal"},
        format="json",
    )
    assert (taken.status_code, taken.json()["code"]) == (400, "slug_taken")
    # Beyond what the column holds on every database (found by the fuzz run on SQLite).
    too_far = api.post(
        f"{A}/editions/prijs-2031/categories/",
        {"name": "Ver", "slug": "ver", "position": 32768},
        format="json",
    )
    # Django words it differently on SQLite and PostgreSQL; both name the limit.
    [problem] = _fields(too_far)["position"]
    assert (list(_fields(too_far)), "32767" in problem) == (["position"], True)
    local = Category.objects.get(slug="lokaal")
    renamed = api.patch(
        f"{A}/categories/{local.pk}/", {"name": "Lokaal en regionaal"}, format="json"
    )
    assert renamed.json()["name"] == "Lokaal en regionaal"
    EntryFactory(edition=edition, category=local)
    kept = api.delete(f"{A}/categories/{local.pk}/")
    assert (kept.status_code, kept.json()["code"]) == (400, "has_entries")
    national = Category.objects.get(slug="landelijk")
    assert api.delete(f"{A}/categories/{national.pk}/").status_code == 204
    assert list(Category.objects.values_list("slug", flat=True)) == ["lokaal"]
    assert AuditLog.objects.filter(action="category_deleted").count() == 1


def test_a_script_sets_up_a_round_and_its_rubric(api):
    api.post(f"{A}/editions/", EDITION, format="json")

    made = api.post(f"{A}/rounds/", {**ROUND, "edition": "prijs-2031"}, format="json")

    assert made.status_code == 201, made.content
    round_ = Round.objects.get()
    assert (round_.state, round_.jurors_per_entry, round_.edition.slug) == (
        "draft",
        2,
        "prijs-2031",
    )
    too_many = api.patch(f"{A}/rounds/{round_.pk}/", {"jurors_per_entry": 25}, format="json")
    assert list(_fields(too_many)) == ["jurors_per_entry"]

    criterion = {
        "name_nl": "Verbindt",
        "name_en": "Connects",
        "weight": "2",
        "scale_min": 1,
        "scale_max": 5,
        "step": "1",
        "required": True,
        "counted": True,
        "position": 1,
        "anchors": {"1": "Niet", "5": "Helemaal"},
    }
    zero = api.post(
        f"{A}/rounds/{round_.pk}/criteria/", {**criterion, "weight": "0"}, format="json"
    )
    assert list(_fields(zero)) == ["weight"]
    outside = api.post(
        f"{A}/rounds/{round_.pk}/criteria/",
        {**criterion, "anchors": {"5": "Top", "9": "Buiten", "x": "?"}},
        format="json",
    )
    assert _fields(outside) == {"anchors": ["Niveaus buiten de schaal 1 tot 5: 9, x."]}
    assert not Criterion.objects.exists()
    added = api.post(f"{A}/rounds/{round_.pk}/criteria/", criterion, format="json")
    assert added.status_code == 201, added.content
    saved = Criterion.objects.get(round=round_)
    assert (saved.weight, saved.anchors) == (2, {"1": "Niet", "5": "Helemaal"})

    not_ready = api.post(f"{A}/rounds/{round_.pk}/open/")
    assert (not_ready.status_code, not_ready.json()["code"]) == (400, "not_ready")

    second = api.post(
        f"{A}/rounds/",
        {**ROUND, "name": "Finale", "kind": "final", "edition": "prijs-2031"},
        format="json",
    ).json()
    copied = api.post(
        f"{A}/rounds/{second['id']}/criteria/copy/", {"source": round_.pk}, format="json"
    )
    assert [c["name_nl"] for c in copied.json()] == ["Verbindt"]
    again = api.post(
        f"{A}/rounds/{second['id']}/criteria/copy/", {"source": round_.pk}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (400, "has_rubric")
    wider = api.patch(
        f"{A}/criteria/{saved.pk}/", {"scale_max": 10, "anchors": {"8": "Sterk"}}, format="json"
    )
    assert wider.status_code == 200, wider.content
    saved.refresh_from_db()
    assert (saved.scale_max, saved.anchors) == (10, {"1": "Niet", "5": "Helemaal", "8": "Sterk"})
    assert api.delete(f"{A}/criteria/{saved.pk}/").status_code == 204
    assert Criterion.objects.filter(round=round_).count() == 0


@pytest.mark.parametrize("path", ["/editions/", "/rounds/"])
def test_a_body_with_a_nul_character_is_a_400_not_a_server_error(api, path):
    """No column holds a NUL character and PostgreSQL refuses one even in a lookup (the fuzz
    run found a 500 for an edition slug "\\u0000"): the parser refuses such a body."""
    response = api.post(f"{A}{path}", {"edition": "\x00", "name": "x"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert response.json()["message"] == "Tekst mag het teken \\u0000 niet bevatten."
