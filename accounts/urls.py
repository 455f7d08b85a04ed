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
    path("me/safety-plan/", views.safety_plan, name="safety_plan"),
    path("me/safety-plan/step/<int:number>/", views.safety_plan_step_edit, name="safety_plan_step"),
    path("me/safety-plan/save/", views.safety_plan_autosave, name="safety_plan_save"),
    path("me/safety-plan/download/", views.safety_plan_download, name="safety_plan_download"),
    path("me/safety-plan/delete/", views.safety_plan_delete, name="safety_plan_delete"),
    path("me/filters/word/", views.filter_word_add, name="filter_word_add"),
    path("me/filters/<int:filter_id>/remove/", views.filter_remove, name="filter_remove"),
    path("me/filters/pause/", views.notifications_pause, name="notifications_pause"),
    path("me/filters/break/<slug:community>/", views.community_break, name="community_break"),
    path("me/filters/topic/<slug:community>/<int:topic_id>/", views.topic_mute, name="topic_mute"),
    path("me/two-factor/", views.two_factor_required, name="two_factor"),
    path("staff/reveal/", views.reveal, name="reveal"),
    path("staff/site-settings/", views.site_settings_page, name="site_settings"),
]
