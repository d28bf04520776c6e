"""The versioned REST API: each app owns its resources in its own api/ package."""

from django.urls import include, path

urlpatterns = [
    path("", include("prijzen.api.urls")),
]
