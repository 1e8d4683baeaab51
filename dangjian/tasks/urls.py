"""The task pages (待办), included into the `web` namespace: the task (`web:task`), one URL
per step its forms post to (`web:task_start` …), and the download of its evidence
(`web:task_attachment`); the notification centre (`web:notifications`, views_notifications)."""

from django.urls import path

from dangjian.tasks import views, views_notifications

urlpatterns = [
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/start/", views.task_start, name="task_start"),
    path("tasks/<int:pk>/note/", views.task_note, name="task_note"),
    path("tasks/<int:pk>/attach/", views.task_attach, name="task_attach"),
    path("tasks/<int:pk>/mark-fixed/", views.task_mark_fixed, name="task_mark_fixed"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
    path("tasks/<int:pk>/explain/", views.task_explain, name="task_explain"),
    path("tasks/<int:pk>/decide/", views.task_decide, name="task_decide"),
    path("tasks/attachments/<int:pk>/", views.task_attachment, name="task_attachment"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        views_notifications.notification_open,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        views_notifications.notifications_mark_all,
        name="notifications_read_all",
    ),
]
