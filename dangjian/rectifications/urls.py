"""The pages of weak and lax Party organizations, in the `web` namespace (docs/dynamics.md)."""

from django.urls import path

from dangjian.rectifications import views

urlpatterns = [
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/new/", views.rectification_new, name="rectification_new"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
]
