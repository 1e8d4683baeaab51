from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "dangjian.feed"
    verbose_name = "登记管理机关数据推送"
