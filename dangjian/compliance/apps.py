from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "dangjian.compliance"
    verbose_name = "政策规则与待办"

    def ready(self) -> None:
        # Every committed write re-evaluates the rules for what it touched (live.py).
        from dangjian.compliance import live
        from dangjian.lib import changes

        changes.connect()
        live.follow()
