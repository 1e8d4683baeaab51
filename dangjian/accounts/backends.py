"""The log-in backend: Django's model backend, loading the user of each request together
with their unread notifications (the top bar's bell), so that the bell costs a page no
query of its own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from dangjian.tasks.models import Notification

        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        model = get_user_model()
        try:
            user = model._default_manager.annotate(
                unread_notifications=Coalesce(Subquery(unread), 0)
            ).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
