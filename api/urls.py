"""The versioned REST API, one package per app with the same layout (see docs/api.md)."""

from django.urls import include, path

from api.me import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("api.prijzen.urls")),
    path("", include("api.jury.urls")),
]
