from django.urls import path
from rest_framework.routers import DefaultRouter

from api.prijzen import results, setup, uploads, views
from api.prijzen.entries import EntryViewSet, InitiativeView

router = DefaultRouter()
router.register("editions", views.EditionViewSet, basename="edition")
router.register("entries", EntryViewSet, basename="entry")
router.register("gallery", results.GalleryViewSet, basename="gallery")
router.register("awards", results.AwardViewSet, basename="award")
upload = "entries/<int:pk>/vlog-uploads/<uuid:uid>/"
urlpatterns = [
    *router.urls,
    path("initiative/", InitiativeView.as_view(), name="api-initiative"),
    path(
        "editions/<slug:slug>/categories/",
        setup.EditionCategories.as_view(),
        name="edition-categories",
    ),
    path("categories/<int:pk>/", setup.CategoryDetail.as_view(), name="category-detail"),
    path("editions/<slug:slug>/winners/", results.WinnersView.as_view(), name="api-winners"),
    path("editions/<slug:slug>/results/", results.ResultsView.as_view(), name="api-results"),
    path(
        "editions/<slug:slug>/results/publish/",
        results.PublishResults.as_view(),
        name="api-results-publish",
    ),
    path(
        "editions/<slug:slug>/results/schedule/",
        results.ScheduleResults.as_view(),
        name="api-results-schedule",
    ),
    path(
        "editions/<slug:slug>/results/cancel/",
        results.CancelSchedule.as_view(),
        name="api-results-cancel",
    ),
    path(
        "editions/<slug:slug>/results/feedback/",
        results.FeedbackSetting.as_view(),
        name="api-results-feedback",
    ),
    path(
        "editions/<slug:slug>/jury-second-factor/",
        views.JurySecondFactor.as_view(),
        name="api-jury-second-factor",
    ),
    path("entries/<int:pk>/vlog-uploads/", uploads.StartUpload.as_view(), name="upload-start"),
    path(upload, uploads.UploadDetail.as_view(), name="upload-detail"),
    path(f"{upload}sign/", uploads.SignParts.as_view(), name="upload-sign"),
    path(f"{upload}parts/", uploads.ListParts.as_view(), name="upload-parts"),
    path(f"{upload}complete/", uploads.CompleteUpload.as_view(), name="upload-complete"),
]
