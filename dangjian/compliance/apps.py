from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "dangjian.compliance"
    verbose_name = "政策规则与待办"
