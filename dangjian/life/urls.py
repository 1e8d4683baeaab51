"""The pages of organization life, included into the `web` namespace."""

from django.urls import path

from dangjian.life import views

urlpatterns = [
    path("life/", views.life_overview, name="life"),
    path("life/review/", views.life_review, name="life_review"),
    path("life/branches/", views.life_branches, name="life_branches"),
    path("life/lists/", views.life_lists, name="life_lists"),
    path("life/statistics.xlsx", views.life_statistics, name="life_statistics"),
    path("life/duties.xlsx", views.life_duties, name="life_duties"),
    path("party-orgs/<str:code>/life/", views.party_org_life, name="party_org_life"),
    path("party-orgs/<str:code>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("party-orgs/<str:code>/groups/new/", views.group_new, name="party_group_new"),
    path("party-groups/<int:pk>/edit/", views.group_edit, name="party_group_edit"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/submit/", views.meeting_submit, name="meeting_submit"),
    path("meetings/<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("meetings/<int:pk>/return/", views.meeting_return, name="meeting_return"),
    path("meetings/<int:pk>/attach/", views.meeting_attach, name="meeting_attach"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("meeting-attachments/<int:pk>/", views.meeting_attachment, name="meeting_attachment"),
]
