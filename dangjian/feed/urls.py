"""The events page of the registry's live feed, in the `web` namespace (docs/feed.md)."""

from django.urls import path

from dangjian.feed import views

urlpatterns = [
    path("registry/events/", views.event_list, name="registry_events"),
]
