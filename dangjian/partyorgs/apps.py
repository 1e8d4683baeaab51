from django.apps import AppConfig


class PartyOrgsConfig(AppConfig):
    name = "dangjian.partyorgs"
    verbose_name = "党组织与覆盖"
