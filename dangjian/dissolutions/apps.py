from django.apps import AppConfig


class DissolutionsConfig(AppConfig):
    name = "dangjian.dissolutions"
    verbose_name = "撤销党组织"
