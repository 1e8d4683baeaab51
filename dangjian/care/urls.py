"""The pages of 双培 and 关怀帮扶, included into the `web` namespace (docs/care.md)."""

from django.urls import path

from dangjian.care import views

urlpatterns = [
    path("care/", views.care_list, name="care"),
    path("care/cultivations/new/", views.cultivation_new, name="cultivation_new"),
    path("care/records/new/", views.care_new, name="care_new"),
]
