"""`PendingUpload` moves here from the web app (with the import pages): the model only —
its table keeps its name (`web_pendingupload`) and its rows; web's 0002 then forgets it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("web", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingUpload",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=32, verbose_name="导入类别")),
                        ("file_name", models.CharField(max_length=255, verbose_name="文件名")),
                        ("size", models.PositiveBigIntegerField(default=0, verbose_name="文件大小(字节)")),
                        ("folder", models.CharField(max_length=64, unique=True, verbose_name="存放目录")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("check_queued", "等待检查"),
                                    ("checking", "正在检查"),
                                    ("checked", "已检查，待确认"),
                                    ("import_queued", "等待导入"),
                                    ("importing", "正在导入"),
                                    ("imported", "已导入"),
                                    ("failed", "出错"),
                                    ("discarded", "已放弃"),
                                ],
                                default="check_queued",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("skip_invalid", models.BooleanField(default=False, verbose_name="跳过错误行")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="本步开始时间"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="本步完成时间"),
                        ),
                        (
                            "task_id",
                            models.CharField(blank=True, max_length=64, verbose_name="后台任务编号"),
                        ),
                        (
                            "check_summary",
                            models.JSONField(blank=True, default=dict, verbose_name="检查结果"),
                        ),
                        (
                            "import_summary",
                            models.JSONField(blank=True, default=dict, verbose_name="导入结果"),
                        ),
                        ("message", models.TextField(blank=True, verbose_name="说明")),
                        (
                            "batch",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="imports.importbatch",
                                verbose_name="导入批次",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pending_uploads",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="上传人",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "web_pendingupload",
                        "verbose_name": "待导入文件",
                        "verbose_name_plural": "待导入文件",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["user", "state"], name="web_pending_user_id_967132_idx")
                        ],
                    },
                ),
            ],
        ),
    ]
