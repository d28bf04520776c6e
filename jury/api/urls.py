from django.urls import path
from rest_framework.routers import SimpleRouter

from jury.api import shortlists, views

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
