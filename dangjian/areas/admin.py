"""Admin of divisions and units, and the list filters the other apps' admins share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from dangjian.areas.models import Area, AreaLevel, Unit
from dangjian.core.admin import ScopedHistoryAdmin

# --- Shared list filters ------------------------------------------------------------------


def district_filter(area_field: str = "") -> type[admin.SimpleListFilter]:
    """A "所在区县" filter on an area foreign key (or on the area itself when `area_field` is "").

    It lists only the districts (never every area: there are tens of thousands) and keeps
    what lies under the chosen one, by the indexed path prefix.
    """
    lookup = f"{area_field}__path__startswith" if area_field else "path__startswith"

    class DistrictFilter(admin.SimpleListFilter):
        title = "所在区县"
        parameter_name = f"{area_field or 'area'}_district"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            districts = Area.objects.filter(level=AreaLevel.DISTRICT).only("code", "name")
            return [(str(area.pk), str(area)) for area in districts]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            if not value:
                return queryset
            district = Area.objects.filter(pk=value).first() if str(value).isdigit() else None
            if district is None:
                return queryset.none()
            return queryset.filter(**{lookup: district.path})

    return DistrictFilter


def dated_filter(
    holds_q: Callable[[dt.date], Q],
    *,
    title: str = "当前状态",
    holds_label: str = "当前有效",
    ended_label: str = "当前无效",
    parameter_name: str = "current",
) -> type[admin.SimpleListFilter]:
    """A filter on whether a dated fact holds today (CONTRACT.md, "Dates, once for all")."""

    class DatedFilter(admin.SimpleListFilter):
        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [("yes", holds_label), ("no", ended_label)]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            q = holds_q(timezone.localdate())
            if self.value() == "yes":
                return queryset.filter(q)
            if self.value() == "no":
                return queryset.exclude(q)
            return queryset

    DatedFilter.title = title
    DatedFilter.parameter_name = parameter_name
    return DatedFilter


# --- Areas ----------------------------------------------------------------------------------


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ("code", "name", "level", "parent")

    def clean_parent(self) -> Area | None:
        parent: Area | None = self.cleaned_data.get("parent")
        area = self.instance
        # `area.path` is still the stored one here: the form has not touched the instance yet.
        if parent is not None and area.pk is not None and parent.path.startswith(area.path):
            raise forms.ValidationError("上级区划不能是本区划或其下级区划")
        return parent


@admin.register(Area)
class AreaAdmin(ScopedHistoryAdmin):
    form = AreaAdminForm
    list_display = ("code", "name", "level", "parent")
    list_display_links = ("code", "name")
    list_filter = ("level", district_filter())
    search_fields = ("^code", "name")
    search_help_text = "按区划代码（从头匹配）或名称检索"
    autocomplete_fields = ("parent",)
    fields = ("code", "name", "level", "parent", "path")
    readonly_fields = ("path",)
    list_select_related = ("parent",)
    show_full_result_count = False
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        old_path = (
            Area.objects.filter(pk=obj.pk).values_list("path", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)  # Area.save() computes the path
        if old_path and old_path != obj.path:
            self._move_descendants(request, old_path, obj)

    @staticmethod
    def _move_descendants(request: HttpRequest, old_path: str, area: Area) -> None:
        """A new code or parent changes the path of everything under the area: follow it."""
        descendants = list(
            Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk).order_by("path")
        )
        for descendant in descendants:
            descendant.path = area.path + descendant.path[len(old_path) :]
        bulk_update_with_history(
            descendants,
            Area,
            ["path"],
            batch_size=500,
            default_user=request.user,
            default_change_reason=f"上级区划「{area}」的区划路径变更",
        )


# --- Units ----------------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(ScopedHistoryAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind", district_filter("area"))
    search_fields = ("name",)
    search_help_text = "按单位名称检索"
    autocomplete_fields = ("area",)
    list_select_related = ("area",)
    fields = ("name", "kind", "area")
