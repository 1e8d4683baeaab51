from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "系统"
