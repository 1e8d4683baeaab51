from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "dangjian.cadres"
    verbose_name = "党务干部"
