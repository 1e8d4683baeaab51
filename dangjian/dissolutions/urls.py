"""The pages of dissolution cases, included into the `web` namespace (docs/dissolutions.md)."""

from django.urls import path

from dangjian.dissolutions import views

urlpatterns = [
    path("dissolutions/", views.dissolution_list, name="dissolutions"),
    path("dissolutions/new/<str:code>/", views.dissolution_new, name="dissolution_new"),
    path("dissolutions/<int:pk>/", views.dissolution_detail, name="dissolution"),
    path("dissolutions/<int:pk>/decide/", views.dissolution_decide, name="dissolution_decide"),
]
