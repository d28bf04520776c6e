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
