from django.apps import AppConfig


class RectificationsConfig(AppConfig):
    name = "dangjian.rectifications"
    verbose_name = "软弱涣散党组织整顿"
