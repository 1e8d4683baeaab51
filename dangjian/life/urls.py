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
    # Pairings, demonstration sites, activities, 联组: new (of a Party organization, or typed),
    # corrected; a 联组 by its members.
    path("party-orgs/<str:code>/pairings/new/", views.pairing_new, name="party_org_pairing_new"),
    path("pairings/new/", views.pairing_new, name="pairing_new"),
    path("pairings/<int:pk>/edit/", views.pairing_edit, name="pairing_edit"),
    path(
        "party-orgs/<str:code>/demonstration-sites/new/", views.site_new, name="party_org_site_new"
    ),
    path("demonstration-sites/new/", views.site_new, name="site_new"),
    path("demonstration-sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path(
        "party-orgs/<str:code>/activities/new/", views.activity_new, name="party_org_activity_new"
    ),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path(
        "party-orgs/<str:code>/joint-groups/new/",
        views.joint_group_new,
        name="party_org_joint_group_new",
    ),
    path("joint-groups/new/", views.joint_group_new, name="joint_group_new"),
    path("joint-groups/<int:pk>/", views.joint_group, name="joint_group"),
    path("joint-groups/<int:pk>/edit/", views.joint_group_edit, name="joint_group_edit"),
    path(
        "joint-groups/<int:pk>/members/new/",
        views.joint_group_member_new,
        name="joint_group_member_new",
    ),
    path(
        "joint-group-members/<int:pk>/edit/",
        views.joint_group_member_edit,
        name="joint_group_member_edit",
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/submit/", views.meeting_submit, name="meeting_submit"),
    path("meetings/<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("meetings/<int:pk>/return/", views.meeting_return, name="meeting_return"),
    path("meetings/<int:pk>/attach/", views.meeting_attach, name="meeting_attach"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("meeting-attachments/<int:pk>/", views.meeting_attachment, name="meeting_attachment"),
]
