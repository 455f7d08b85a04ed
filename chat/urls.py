"""Chat pages."""

from django.urls import path

from chat import views

app_name = "chat"
urlpatterns = [
    path("c/<slug:community>/chat/", views.room_list, name="room_list"),
    path("c/<slug:community>/chat/<slug:room>/", views.room_detail, name="room_detail"),
]
