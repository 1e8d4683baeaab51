"""The import pages, included into the `web` namespace (`web:imports` …)."""

from django.urls import path

from dangjian.imports import views

urlpatterns = [
    path("imports/", views.index, name="imports"),
    path("imports/upload/", views.upload, name="import_upload"),
    path("imports/<int:pk>/", views.detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views.confirm, name="import_confirm"),
    path("imports/<int:pk>/retry/", views.retry, name="import_retry"),
    path("imports/<int:pk>/discard/", views.discard, name="import_discard"),
    path("imports/<int:pk>/errors/<str:phase>.csv", views.errors_file, name="import_errors"),
    path("imports/batches/<int:pk>/", views.batch, name="import_batch"),
    path("imports/batches/<int:pk>/undo/", views.batch_undo, name="import_batch_undo"),
    path("imports/templates/<str:kind>.<str:fmt>", views.template_file, name="import_template"),
]
