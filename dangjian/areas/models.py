"""Administrative divisions (GB/T 2260 and the statistical division codes) and units."""

from __future__ import annotations

from django.db import models

from dangjian.lib.history import HistoricalRecords


class AreaLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区县(市)"
    TOWNSHIP = "township", "乡镇(街道)"
    COMMUNITY = "community", "村(社区)"


class AreaQuerySet(models.QuerySet["Area"]):
    def within(self, area: Area) -> AreaQuerySet:
        """The area and everything under it: one indexed prefix filter on the path."""
        return self.filter(path__startswith=area.path)


class Area(models.Model):
    """A division: province, city, district, township or community.

    `code` is the 6-digit GB/T 2260 code for provinces, cities and districts (430000, 430100,
    430102), the 9-digit statistical code for townships (430102001) and the 12-digit one for
    communities (430102001001). `path` is the chain of codes from the top, ending in "/",
    so that "everything under this area" is `path__startswith` on one indexed column.
    """

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("区划路径", max_length=80, unique=True, editable=False)

    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = self.compute_path()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.code}/"

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code]


class UnitKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", "民政部门"
    SUPERVISORY = "supervisory", "业务主管单位"
    WORK_BODY = "work_body", "社会组织党建工作机构"
    OTHER = "other", "其他单位"


class Unit(models.Model):
    """A government department or other body: a registry, a supervisory unit, a work body."""

    name = models.CharField("单位名称", max_length=128, unique=True)
    kind = models.CharField("单位类别", max_length=16, choices=UnitKind.choices)
    area = models.ForeignKey(
        Area, verbose_name="所在区划", on_delete=models.PROTECT, related_name="units"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name
