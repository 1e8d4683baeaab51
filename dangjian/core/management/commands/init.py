"""`dangjian init`: create or migrate the database and load the administrative divisions."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from dangjian.areas.divisions import CHANGSHA_CODE, load_changsha
from dangjian.areas.models import Area
from dangjian.areas.services import unit_ensure_registries
from dangjian.core.cli import CREATE, DangjianCommand
from dangjian.tasks.services import tasks_sync_all


class Command(DangjianCommand):
    database = CREATE
    help = "创建或升级数据库，载入长沙市行政区划和各级民政部门（可重复运行，不含演示数据）"

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        written = load_changsha()
        units = unit_ensure_registries(under=Area.objects.get(code=CHANGSHA_CODE))
        # Findings recorded before tasks existed get theirs (nothing to do the next time).
        tasks_sync_all()
        townships = Area.objects.filter(level="township", path__contains=f"/{CHANGSHA_CODE}/")
        self.stdout.write(
            f"数据库已就绪：长沙市行政区划 {Area.objects.count()} 个"
            f"（乡镇(街道) {townships.count()} 个，本次写入 {written} 个），"
            f"新建登记管理机关 {units} 个"
        )
