from typing import Any

from django.apps import AppConfig
from django.db.models import fields
from django.db.models.signals import post_migrate

ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def _chinese_permission_names(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Django names permissions "Can add …" in English whatever the language; users read
    them in the admin's permission lists, so say them in Chinese."""
    from django.apps import apps
    from django.contrib.auth.models import Permission

    # post_migrate comes once per app, after Django has made that app's permissions: name
    # those (every app's, when the sender is not an app, as when called by hand).
    label = getattr(sender, "label", None)
    models = sender.get_models() if label else apps.get_models()
    updates = []
    for model in models:
        for action, word in ACTIONS.items():
            updates.append(
                (f"{action}_{model._meta.model_name}", model, f"{word}{model._meta.verbose_name}")
            )
    permissions = Permission.objects.using(using).select_related("content_type")
    if label:
        permissions = permissions.filter(content_type__app_label=label)
    by_codename = {(p.content_type.app_label, p.codename): p for p in permissions}
    changed = []
    for codename, model, name in updates:
        permission = by_codename.get((model._meta.app_label, codename))
        if permission is not None and permission.name != name[:255]:
            permission.name = name[:255]
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "系统"

    def ready(self) -> None:
        # The empty choice of every drop-down; Django's zh-hans catalogue lacks it.
        fields.BLANK_CHOICE_LABEL = "请选择"
        post_migrate.connect(_chinese_permission_names, dispatch_uid="dangjian-permission-names")
        from django.db.models.signals import post_delete, post_save

        from dangjian.core.version import on_change

        post_save.connect(on_change, dispatch_uid="dangjian-data-version-save")
        post_delete.connect(on_change, dispatch_uid="dangjian-data-version-delete")
        from dangjian.lib import lookups

        lookups.register()  # `__in_ids`: many keys as one parameter
