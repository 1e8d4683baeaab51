"""The pages of the cadres' training, included into the `web` namespace."""

from django.urls import path

from dangjian.cadres import views

urlpatterns = [
    path("cadres/training-needs/", views.training_needs, name="training_needs"),
    path("cadres/trainings/new/", views.training_class_new, name="training_class_new"),
]
