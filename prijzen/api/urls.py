from django.urls import path
from rest_framework.routers import DefaultRouter

from prijzen.api import uploads
from prijzen.api.entries import EntryViewSet, InitiativeView
from prijzen.api.views import EditionViewSet

router = DefaultRouter()
router.register("editions", EditionViewSet, basename="edition")
router.register("entries", EntryViewSet, basename="entry")
upload = "entries/<int:pk>/vlog-uploads/<uuid:uid>/"
urlpatterns = [
    *router.urls,
    path("initiative/", InitiativeView.as_view(), name="api-initiative"),
    path("entries/<int:pk>/vlog-uploads/", uploads.StartUpload.as_view(), name="upload-start"),
    path(upload, uploads.UploadDetail.as_view(), name="upload-detail"),
    path(f"{upload}sign/", uploads.SignParts.as_view(), name="upload-sign"),
    path(f"{upload}parts/", uploads.ListParts.as_view(), name="upload-parts"),
    path(f"{upload}complete/", uploads.CompleteUpload.as_view(), name="upload-complete"),
]
