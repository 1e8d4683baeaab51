from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "dangjian.tasks"
    verbose_name = "待办"
