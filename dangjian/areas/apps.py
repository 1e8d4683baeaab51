from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "dangjian.areas"
    verbose_name = "行政区划与单位"
