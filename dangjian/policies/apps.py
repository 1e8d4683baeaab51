from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "dangjian.policies"
    verbose_name = "政策设置版本"
