"""党组织活动场所 (POLICY 六.2; docs/dynamics.md): the 六有 standard — 有场所、有设施、有标志、
有党旗、有书报、有制度 — checked per Party organization, and the 党群服务中心 shared by the
Party organizations of their area (rule VEN-SIX: the latest check lacks any of the six).

- `Venue`: the `venues` kind of CONTRACT.md (key: Party organization + 核查日期); `centre`
  is the 党群服务中心 it names, when 场所名称 is one of the district's centres.
- `ServiceCentre`: a 党群服务中心 (the project's `service-centres` kind; key: name)."""

from __future__ import annotations

from django.db import models

from dangjian.lib.history import HistoricalRecords

# The six items of 六有, in the policy's order: (field, label).
SIX: tuple[tuple[str, str], ...] = (
    ("has_place", "有场所"),
    ("has_facilities", "有设施"),
    ("has_sign", "有标志"),
    ("has_flag", "有党旗"),
    ("has_reading", "有书报"),
    ("has_rules", "有制度"),
)
SIX_FIELDS = tuple(f for f, _ in SIX)
SIX_LABELS = tuple(label for _, label in SIX)


class ServiceCentre(models.Model):
    name = models.CharField("中心名称", max_length=100, unique=True)
    township = models.ForeignKey(
        "areas.Area", verbose_name="所在乡镇(街道)", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200)
    floor_area = models.PositiveIntegerField("面积", null=True, blank=True)
    capacity = models.PositiveIntegerField("容纳人数", null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True, default="")
    managing_unit = models.CharField("管理单位", max_length=100, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党群服务中心"
        verbose_name_plural = "党群服务中心"
        ordering = ["township", "name"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="venues",
    )
    checked_on = models.DateField("核查日期")
    name = models.CharField("场所名称", max_length=100)
    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name="党群服务中心",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
    )
    has_place = models.BooleanField("有场所")
    has_facilities = models.BooleanField("有设施")
    has_sign = models.BooleanField("有标志")
    has_flag = models.BooleanField("有党旗")
    has_reading = models.BooleanField("有书报")
    has_rules = models.BooleanField("有制度")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "活动场所核查"
        verbose_name_plural = "活动场所核查"
        ordering = ["party_org", "-checked_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "checked_on"],
                name="venue_party_org_checked_on_unique",
                violation_error_message="同一党组织同一核查日期只能有一条场所记录",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} 场所核查"

    @property
    def missing(self) -> list[str]:
        return [label for f, label in SIX if not getattr(self, f)]


class VenuePhoto(models.Model):
    """A photo showing one of the six items of a venue check (证明材料)."""

    venue = models.ForeignKey(
        Venue, verbose_name="场所核查", on_delete=models.CASCADE, related_name="photos"
    )
    item = models.CharField("项目", max_length=16, choices=list(SIX))
    image = models.FileField("照片", upload_to="venues/%Y/")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "场所照片"
        verbose_name_plural = "场所照片"
        ordering = ["venue", "item", "pk"]

    def __str__(self) -> str:
        return f"{self.get_item_display()} 照片"
