"""The pages of transfers, included into the `web` namespace (docs/transfers.md)."""

from django.urls import path

from dangjian.transfers import views

urlpatterns = [
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/new/<int:person>/", views.transfer_new, name="transfer_new"),
    path("transfers/destinations/", views.transfer_destinations, name="transfer_destinations"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/accept/", views.transfer_accept_view, name="transfer_accept"),
    path("transfers/<int:pk>/return/", views.transfer_return_view, name="transfer_return"),
    path("transfers/<int:pk>/letter.docx", views.transfer_letter, name="transfer_letter"),
]
