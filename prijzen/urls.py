from django.urls import path

from prijzen import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inzendingen/", views.entry_list, name="entry-list"),
    path("initiatief/", views.initiative_edit, name="initiative-edit"),
    path("meedoen/<slug:slug>/", views.entry_start, name="entry-start"),
    path("inzendingen/<int:pk>/bewerken/", views.entry_edit, name="entry-edit"),
    path("inzendingen/<int:pk>/intrekken/", views.entry_withdraw, name="entry-withdraw"),
    path("inzendingen/<int:pk>/plaatje/", views.entry_poster, name="entry-poster"),
    path("inzendingen/<int:pk>/publicatie/", views.entry_publication, name="entry-publication"),
    path("inzendingen/<int:pk>/opnieuw/", views.entry_reopen, name="entry-reopen"),
    path("inzendingen/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("inzendingen/<int:pk>/vlog-status/", views.entry_vlog_status, name="entry-vlog-status"),
    path("inzendingen/<int:pk>/storyboard.vtt", views.entry_storyboard, name="entry-storyboard"),
    path("inzendingen/<int:pk>/origineel/", views.entry_original, name="entry-original"),
]
