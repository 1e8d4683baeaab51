"""The pages of the cadres' training, included into the `web` namespace."""

from django.urls import path

from dangjian.cadres import views, views_instructors

urlpatterns = [
    path("cadres/training-needs/", views.training_needs, name="training_needs"),
    path("cadres/trainings/new/", views.training_class_new, name="training_class_new"),
    path("my/visits/", views_instructors.my_visits, name="my_visits"),
    path("my/visits/<str:uscc>/new/", views_instructors.visit_new, name="visit_new"),
    path(
        "instructors/progress/", views_instructors.instructor_progress, name="instructor_progress"
    ),
]
