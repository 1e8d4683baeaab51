from django.apps import AppConfig


class BodiesConfig(AppConfig):
    name = "dangjian.bodies"
    verbose_name = "党建工作机构"
