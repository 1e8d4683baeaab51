"""The pages of member development, included into the `web` namespace."""

from django.urls import path

from dangjian.development import views

urlpatterns = [
    path("development/", views.pipeline, name="development"),
    path("development/applicants/new/", views.applicant_new, name="applicant_new"),
    path("development/applicants/<int:pk>/", views.applicant_detail, name="applicant"),
    path(
        "development/applicants/<int:pk>/<str:action>/",
        views.applicant_step,
        name="applicant_step",
    ),
]
