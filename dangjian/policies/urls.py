"""The pages of policy versions, in the `web` namespace (docs/policy-versions.md)."""

from django.urls import path

from dangjian.policies import views

urlpatterns = [
    path("policy/", views.version_list, name="policy_versions"),
    path("policy/versions/<int:pk>/settings.toml", views.version_text, name="policy_version_text"),
    path("policy/whatif/", views.whatif_new, name="policy_whatif"),
    path("policy/drafts/<int:pk>/", views.draft_page, name="policy_draft"),
    path("policy/drafts/<int:pk>/adopt/", views.draft_adopt, name="policy_draft_adopt"),
]
