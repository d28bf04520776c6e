"""The versioned REST API: each app owns its resources in its own api/ package."""

from django.urls import include, path

from common.api_views import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("prijzen.api.urls")),
    path("", include("jury.api.urls")),
]
