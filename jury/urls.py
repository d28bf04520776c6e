from django.urls import path

from jury import views

urlpatterns = [
    path("", views.home, name="jury-home"),
    path("uitnodiging/<str:token>/", views.invitation, name="jury-invitation"),
    path("beoordelen/<int:pk>/", views.review, name="jury-review"),
    path(
        "beoordelen/<int:pk>/belangenverstrengeling/", views.declare_conflict, name="jury-conflict"
    ),
]
