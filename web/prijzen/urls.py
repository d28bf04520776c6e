from django.urls import path

from web.prijzen import organiser_views, public_views, setup_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("inzendingen/", views.entry_list, name="entry-list"),
    path("initiatief/", views.initiative_edit, name="initiative-edit"),
    path("meedoen/<slug:slug>/", views.entry_start, name="entry-start"),
    path("inzendingen/<int:pk>/bewerken/", views.entry_edit, name="entry-edit"),
    path("inzendingen/<int:pk>/intrekken/", views.entry_withdraw, name="entry-withdraw"),
    path("inzendingen/<int:pk>/plaatje/", views.entry_poster, name="entry-poster"),
    path("inzendingen/<int:pk>/publicatie/", views.entry_publication, name="entry-publication"),
    path("inzendingen/<int:pk>/galerij/", views.entry_gallery_approval, name="entry-gallery"),
    path("inzendingen/<int:pk>/opnieuw/", views.entry_reopen, name="entry-reopen"),
    path("inzendingen/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("inzendingen/<int:pk>/vlog-status/", views.entry_vlog_status, name="entry-vlog-status"),
    path("inzendingen/<int:pk>/storyboard.vtt", views.entry_storyboard, name="entry-storyboard"),
    path("inzendingen/<int:pk>/origineel/", views.entry_original, name="entry-original"),
    # Public pages
    path("edities/<slug:slug>/", public_views.edition, name="public-edition"),
    path("edities/<slug:slug>/winnaars/", public_views.winners, name="public-winners"),
    path("edities/<slug:slug>/galerij/", public_views.gallery, name="public-gallery"),
    path("edities/<slug:slug>/galerij/<int:number>/", public_views.entry, name="public-entry"),
    path(
        "edities/<slug:slug>/galerij/<int:number>/poster.jpg",
        public_views.poster,
        name="public-poster",
    ),
    # Organisers: setting up an edition
    path("organisatie/edities/nieuw/", setup_views.edition_new, name="edition-new"),
    path("organisatie/edities/<slug:slug>/", setup_views.edition_setup, name="edition-setup"),
    path(
        "organisatie/edities/<slug:slug>/categorieen/",
        setup_views.category_add,
        name="category-add",
    ),
    path("organisatie/categorieen/<int:pk>/", setup_views.category_change, name="category-change"),
    path(
        "organisatie/edities/<slug:slug>/inzendingen/",
        setup_views.edition_entries,
        name="edition-entries",
    ),
    path(
        "organisatie/edities/<slug:slug>/alles.xlsx",
        setup_views.edition_export,
        name="edition-export",
    ),
    path(
        "organisatie/edities/<slug:slug>/alles/<slug:sheet>.csv",
        setup_views.edition_export_csv,
        name="edition-export-csv",
    ),
    # Organisers: decisions and the announcement
    path("edities/<slug:slug>/uitslag/", organiser_views.results, name="results-manage"),
]
