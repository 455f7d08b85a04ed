"""Member settings, data rights, the privacy page, and the staff pages about accounts."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("me/", views.me, name="me"),
    path("me/alias/<slug:community>/", views.alias_change, name="alias_change"),
    path("me/export/", views.export_page, name="export"),
    path("me/export.json", views.export_download, name="export_download"),
    path("me/delete/", views.account_delete, name="delete"),
    path("me/two-factor/", views.two_factor_required, name="two_factor"),
    path("staff/reveal/", views.reveal, name="reveal"),
    path("staff/site-settings/", views.site_settings_page, name="site_settings"),
]
