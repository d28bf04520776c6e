from django.urls import path
from rest_framework.routers import SimpleRouter

from api.jury import organising, setup, shortlists, views

router = SimpleRouter()
router.register("rounds", views.RoundViewSet, basename="round")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
urlpatterns = [
    *router.urls,
    path("rounds/<int:pk>/conflicts/", views.RoundConflictList.as_view(), name="round-conflicts"),
    path("conflicts/<int:pk>/dismiss/", views.DismissConflict.as_view(), name="conflict-dismiss"),
    path(
        "conflicts/<int:pk>/review-decision/",
        views.DecideConflictedReview.as_view(),
        name="conflict-review-decision",
    ),
    path("rounds/<int:pk>/invitations/", organising.Invitations.as_view(), name="round-invite"),
    path(
        "rounds/<int:pk>/assignment-proposal/",
        organising.AssignmentProposal.as_view(),
        name="round-assignment-proposal",
    ),
    path(
        "rounds/<int:pk>/assignment/",
        organising.CommitAssignment.as_view(),
        name="round-assignment-commit",
    ),
    path("rounds/<int:pk>/tie-decisions/", organising.TieDecisions.as_view(), name="round-tie"),
    path("editions/<slug:slug>/export/", views.EditionExport.as_view(), name="edition-export"),
    path(
        "editions/<slug:slug>/export/<str:sheet>/",
        views.EditionExportSheet.as_view(),
        name="edition-export-sheet",
    ),
    path("rounds/<int:pk>/criteria/", setup.RoundCriteria.as_view(), name="round-criteria"),
    path("rounds/<int:pk>/criteria/copy/", setup.CopyRubric.as_view(), name="round-copy-rubric"),
    path("criteria/<int:pk>/", setup.CriterionDetail.as_view(), name="criterion-detail"),
    path("me/ties/", organising.MyTies.as_view(), name="my-ties"),
    path("me/ties/<int:pk>/", organising.MyTie.as_view(), name="my-tie"),
    path("rounds/<int:pk>/shortlist/", shortlists.ShortlistView.as_view(), name="round-shortlist"),
    path(
        "rounds/<int:pk>/shortlist/top/",
        shortlists.ShortlistTop.as_view(),
        name="round-shortlist-top",
    ),
    path(
        "rounds/<int:pk>/shortlist/<int:entry_id>/",
        shortlists.ShortlistEntry.as_view(),
        name="round-shortlist-entry",
    ),
]
