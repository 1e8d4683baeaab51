from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "dangjian.care"
    verbose_name = "双培与关怀帮扶"
