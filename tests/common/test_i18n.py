from pathlib import Path

import polib
import pytest
from django.conf import settings


def test_dutch_translations_are_complete():
    po = polib.pofile(str(settings.BASE_DIR / "locale/nl/LC_MESSAGES/django.po"))

    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.django_db
def test_pages_are_dutch_by_default(client):
    html = client.get("/").content.decode()

    assert '<html lang="nl">' in html
    assert '<a class="skip-link" href="#main">Naar de inhoud</a>' in html
    assert ">Inloggen</a>" in html
    assert '<main id="main"' in html


@pytest.mark.django_db
def test_language_switch_to_english_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()

    assert response.status_code == 302
    assert '<html lang="en">' in html
    assert ">Sign in</a>" in html


@pytest.mark.django_db
def test_admin_is_dutch(client):
    from tests.factories import OrganiserFactory

    client.force_login(OrganiserFactory())

    html = client.get("/beheer/").content.decode()

    assert "<title>Beheer | Vrijwilligersprijzen</title>" in html
    assert "Inzendingen" in html


def test_our_dutch_never_overrides_djangos_own_words():
    """Our catalog comes first, so a msgid that Django also uses changes Django's text: "May"
    (a column, "Mag") turned every 14 May into "14 Mag". No msgid of ours that Django's own
    Dutch catalogs (its conf, contrib apps) translate differently."""
    import django

    ours = polib.pofile(str(settings.BASE_DIR / "locale/nl/LC_MESSAGES/django.po"))
    root = Path(django.__file__).parent
    djangos = {}
    for path in [
        root / "conf/locale/nl/LC_MESSAGES/django.po",
        *root.glob("contrib/*/locale/nl/LC_MESSAGES/django.po"),
    ]:
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.msgctxt:
                djangos[entry.msgid] = entry.msgstr
    clashes = {
        e.msgid: (e.msgstr, djangos[e.msgid])
        for e in ours
        if not e.msgctxt and e.msgid in djangos and e.msgstr != djangos[e.msgid]
    }
    assert clashes == {}


def test_a_may_date_reads_mei_in_dutch():
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("nl"):
        assert date_format(date(2021, 5, 14), "j F Y") == "14 mei 2021"


def test_every_field_of_ours_has_a_translated_name():
    """The admin and the forms show field names: none may fall back to the English attribute
    name ("INITIATIVE", "Op edition")."""
    from django.apps import apps
    from django.utils.functional import Promise

    untranslated = [
        f"{model._meta.label}.{field.name}"
        for app in ("common", "prijzen", "jury", "media_pipeline")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []
