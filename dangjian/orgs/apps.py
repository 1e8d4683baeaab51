from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "社会组织"
