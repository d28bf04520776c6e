from django.urls import path

from web.jury import decision_views, setup_views, views
from web.jury import organiser_views as org

urlpatterns = [
    path("", views.home, name="jury-home"),
    path("uitnodiging/<str:token>/", views.invitation, name="jury-invitation"),
    path("rondes/<int:pk>/voorwaarden/", views.terms, name="jury-terms"),
    path("beoordelen/<int:pk>/", views.review, name="jury-review"),
    path("beoordelen/<int:pk>/kijken/", views.review_heartbeat, name="jury-review-heartbeat"),
    path(
        "beoordelen/<int:pk>/belangenverstrengeling/", views.declare_conflict, name="jury-conflict"
    ),
    path("banden/", views.ties, name="jury-ties"),
    path("rondes/<int:pk>/", org.overview, name="jury-round"),
    path("edities/<slug:slug>/nieuwe-ronde/", setup_views.round_new, name="round-new"),
    path("rondes/<int:pk>/instellingen/", setup_views.round_settings, name="round-settings"),
    path("rondes/<int:pk>/beoordelingsformulier/", setup_views.rubric, name="round-rubric"),
    path("rondes/<int:pk>/uitnodigen/", org.invite, name="jury-round-invite"),
    path("rondes/<int:pk>/conflicten-zoeken/", org.detect, name="jury-round-detect"),
    path(
        "rondes/<int:pk>/conflicten/<int:conflict_pk>/afwijzen/",
        org.dismiss,
        name="jury-round-dismiss",
    ),
    path(
        "rondes/<int:pk>/conflicten/<int:conflict_pk>/beoordeling/",
        org.decide_review,
        name="jury-round-decide-review",
    ),
    path("rondes/<int:pk>/voorstel/", org.propose, name="jury-round-propose"),
    path("rondes/<int:pk>/vastleggen/", org.commit, name="jury-round-commit"),
    path("rondes/<int:pk>/herinneren/", org.remind, name="jury-round-remind"),
    path("rondes/<int:pk>/rangschikking/", org.ranking, name="jury-round-ranking"),
    path("rondes/<int:pk>/rangschikking.csv", org.ranking_csv, name="jury-round-ranking-csv"),
    path("rondes/<int:pk>/export/<slug:kind>.<slug:fmt>", org.export, name="jury-round-export"),
    path("rondes/<int:pk>/openen/", org.open_, name="jury-round-open"),
    path("rondes/<int:pk>/sluiten/", org.close, name="jury-round-close"),
    path("rondes/<int:pk>/heropenen/", org.reopen, name="jury-round-reopen"),
    path("rondes/<int:pk>/tweestaps/", org.second_factor, name="jury-round-second-factor"),
    path("rondes/<int:pk>/voordracht/", decision_views.shortlist, name="jury-round-shortlist"),
    path("rondes/<int:pk>/gelijke-stand/", decision_views.decide_tie, name="jury-round-tie"),
    path("rondes/<int:pk>/certificaat.json", org.certificate, name="jury-round-certificate"),
]
