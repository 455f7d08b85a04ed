"""Member settings and the privacy page."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("me/", views.me, name="me"),
]
