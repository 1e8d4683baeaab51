from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dangjian.imports"
    verbose_name = "数据导入导出"
