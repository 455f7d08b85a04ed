"""The community settings area, joining pages, and staff pages for communities."""

from django.urls import path

from forum import admin_views as views

app_name = "community_admin"
urlpatterns = [
    path("c/<slug:community>/settings/", views.settings_general, name="settings"),
    path("c/<slug:community>/settings/moderators/", views.settings_moderators, name="moderators"),
    path("c/<slug:community>/settings/members/", views.settings_members, name="members"),
    path(
        "c/<slug:community>/settings/invitations/",
        views.settings_invitations,
        name="invitations",
    ),
    path("c/<slug:community>/settings/rooms/", views.settings_rooms, name="rooms"),
    path("c/<slug:community>/settings/words/", views.settings_words, name="words"),
    path("c/<slug:community>/settings/statistics/", views.settings_statistics, name="statistics"),
    path("c/<slug:community>/settings/log/", views.settings_log, name="log"),
    path("c/<slug:community>/welcome/", views.welcome, name="welcome"),
    path("invite/<str:code>/", views.invitation_open, name="invitation"),
    path("communities/new/", views.community_new, name="community_new"),
    path("staff/statistics/", views.site_statistics, name="site_statistics"),
    path("staff/invitations/", views.site_invitations, name="site_invitations"),
]
