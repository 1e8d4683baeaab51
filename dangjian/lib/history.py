"""django-simple-history's HistoricalRecords, with Chinese names for the history tables
(the admin shows them in permission lists and history pages)."""

from __future__ import annotations

from typing import Any

from simple_history import models as simple_history_models


class HistoricalRecords(simple_history_models.HistoricalRecords):
    def get_meta_options(self, model: Any) -> dict[str, Any]:
        meta = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            meta["verbose_name"] = f"{model._meta.verbose_name}（历史记录）"
        if not self.user_set_verbose_name_plural:
            meta["verbose_name_plural"] = f"{model._meta.verbose_name_plural}（历史记录）"
        return meta
