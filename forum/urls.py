"""Forum pages."""

from django.urls import path

from forum import views

app_name = "forum"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search_all"),
    path("notifications/", views.notification_list, name="notifications"),
    path("c/<slug:community>/", views.community_detail, name="community"),
    path("c/<slug:community>/join/", views.community_join, name="community_join"),
    path("c/<slug:community>/leave/", views.community_leave, name="community_leave"),
    path("c/<slug:community>/waiting/", views.waiting_list, name="waiting"),
    path("c/<slug:community>/search/", views.search, name="search"),
    path("c/<slug:community>/new/", views.topic_create, name="topic_create"),
    path("c/<slug:community>/t/<int:topic_id>/", views.topic_detail, name="topic"),
    path("c/<slug:community>/t/<int:topic_id>/reply/", views.post_reply, name="reply"),
    path("c/<slug:community>/t/<int:topic_id>/follow/", views.topic_follow, name="follow"),
    path("c/<slug:community>/p/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("c/<slug:community>/p/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("c/<slug:community>/p/<int:post_id>/react/", views.reaction_toggle, name="react"),
]
