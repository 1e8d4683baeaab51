"""The pages of the management system, included into the `web` namespace."""

from django.urls import path

from dangjian.bodies import views

urlpatterns = [
    path("bodies/", views.work_bodies, name="work_bodies"),
    path("bodies/new/", views.work_body_new, name="work_body_new"),
    path("bodies/<int:pk>/", views.work_body, name="work_body"),
    path("bodies/<int:pk>/edit/", views.work_body_edit, name="work_body_edit"),
    path("bodies/<int:pk>/staff/new/", views.work_body_staff_new, name="work_body_staff_new"),
    path("bodies/staff/<int:pk>/edit/", views.work_body_staff_edit, name="work_body_staff_edit"),
    path("bodies/township-cadres/", views.township_cadres, name="township_cadres"),
    path("bodies/township-cadres/new/", views.township_cadre_new, name="township_cadre_new"),
    path(
        "bodies/township-cadres/<int:pk>/edit/",
        views.township_cadre_edit,
        name="township_cadre_edit",
    ),
    path("bodies/contact-points/", views.contact_points, name="contact_points"),
    path("bodies/contact-points/new/", views.contact_point_new, name="contact_point_new"),
    path(
        "bodies/contact-points/<int:pk>/edit/",
        views.contact_point_edit,
        name="contact_point_edit",
    ),
]
