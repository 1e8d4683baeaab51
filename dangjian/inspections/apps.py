from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "dangjian.inspections"
    verbose_name = "年检与评估"
