"""Moderation pages (the help pages are in moderation/urls.py)."""

from django.urls import path

from moderation import queue_views as views

urlpatterns = [
    path("mod/", views.queue, name="queue"),
    path("mod/item/<int:item_id>/", views.item_detail, name="item"),
    path("mod/item/<int:item_id>/claim/", views.item_claim, name="item_claim"),
    path("mod/item/<int:item_id>/decide/", views.item_decide, name="item_decide"),
    path("mod/item/<int:item_id>/check-in/", views.item_check_in, name="item_check_in"),
    path(
        "mod/item/<int:item_id>/crisis-feedback/",
        views.item_crisis_feedback,
        name="item_crisis_feedback",
    ),
    path("c/<slug:community>/mod/", views.queue, name="community_queue"),
    path("c/<slug:community>/mod/log/", views.audit_log, name="audit_log"),
    path("c/<slug:community>/mod/log.csv", views.audit_log_csv, name="audit_log_csv"),
    path(
        "c/<slug:community>/mod/member/<int:alias_id>/",
        views.member_history,
        name="member_history",
    ),
    path("c/<slug:community>/p/<int:post_id>/flag/", views.flag_post, name="flag_post"),
    path(
        "c/<slug:community>/chat/m/<int:message_id>/flag/",
        views.flag_message,
        name="flag_message",
    ),
    path("c/<slug:community>/ask-check-in/", views.ask_check_in, name="ask_check_in"),
    path("me/notices/", views.notices, name="notices"),
    path("me/notices/<int:notice_id>/appeal/", views.notice_appeal, name="notice_appeal"),
]
