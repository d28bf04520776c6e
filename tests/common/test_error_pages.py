"""Our own error pages, in Dutch, with a way back: never Django's English ones."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_dutch_with_a_way_home(client):
    response = client.get("/bestaat-niet/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Pagina niet gevonden</h1>" in page
    assert '<a class="button" href="/">Naar de startpagina</a>' in page


def test_an_expired_form_is_explained_in_dutch():
    response = Client(enforce_csrf_checks=True).post("/aanmelden/", {"email": "a@example.org"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Het formulier is verlopen</h1>" in page
    assert "CSRF" in page


def test_a_server_error_page_is_dutch_and_needs_nothing_from_the_database(
    django_assert_num_queries,
):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Er ging iets mis</h1>" in page
    assert 'href="/"' in page
