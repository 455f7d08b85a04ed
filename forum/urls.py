"""Forum pages."""

from django.urls import path

from forum import views

app_name = "forum"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:community>/join/", views.community_join, name="community_join"),
    path("c/<slug:community>/leave/", views.community_leave, name="community_leave"),
]
