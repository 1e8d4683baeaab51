from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "dangjian.venues"
    verbose_name = "活动场所"
