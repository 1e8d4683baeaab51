"""The admin of the web app's own state.

django-tasks-db registers an admin for its task queue whose pages are in English; every page
of this system is in Chinese, so it is taken out of the admin. A failed background task is
shown to its user on the import page, and its traceback goes to the log.
"""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
