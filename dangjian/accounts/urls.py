"""The users' pages, included into the `web` namespace (`web:users` …)."""

from django.urls import path

from dangjian.accounts import views

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/export.xlsx", views.user_export, name="users_export"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("account/password/", views.password_change, name="password_change"),
]
