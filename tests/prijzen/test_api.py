import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import CategoryFactory, EditionFactory


@pytest.mark.django_db
def test_editions_are_public_with_their_categories(client):
    edition = EditionFactory(name="Vrijwilligersprijzen 2021", slug="nvp-2021", year=2021)
    CategoryFactory(edition=edition, slug="lokaal", name="Lokaal")
    CategoryFactory(edition=edition, slug="landelijk", name="Landelijk", position=1)

    response = client.get("/api/v1/editions/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    result = body["results"][0]
    assert (result["slug"], result["name"], result["year"]) == (
        "nvp-2021",
        "Vrijwilligersprijzen 2021",
        2021,
    )
    assert [c["slug"] for c in result["categories"]] == ["lokaal", "landelijk"]


@pytest.mark.django_db
def test_unknown_edition_is_404(client):
    assert client.get("/api/v1/editions/bestaat-niet/").status_code == 404


def test_openapi_schema_generates_with_summaries():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operations = {
        (path, method): op for path, item in schema["paths"].items() for method, op in item.items()
    }
    upload = "/api/v1/entries/{id}/vlog-uploads/"
    assert set(operations) >= {
        ("/api/v1/editions/", "get"),
        ("/api/v1/editions/{slug}/", "get"),
        (upload, "post"),
        (upload + "{uid}/", "get"),
        (upload + "{uid}/", "delete"),
        (upload + "{uid}/complete/", "post"),
        (upload + "{uid}/parts/", "get"),
        (upload + "{uid}/sign/", "post"),
    }
    assert all(op.get("summary") for op in operations.values())


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_editions_list_query_count_does_not_grow(client, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(count):
        CategoryFactory(edition=EditionFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/editions/")

    assert response.json()["count"] == count
    assert len(queries) == 3, [q["sql"] for q in queries]  # count, editions, categories
