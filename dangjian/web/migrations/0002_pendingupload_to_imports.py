"""`PendingUpload` moved to the imports app (its 0002): the table stays, the web app forgets
the model. Its content type follows it, so that permissions and admin log entries about it
keep pointing at it; and so do the background tasks, which the task queue names by path
(`dangjian.web.tasks.check_upload` is now `dangjian.imports.tasks.check_upload`), so that a
task queued before the move still runs after it."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

OLD_TASKS, NEW_TASKS = "dangjian.web.tasks.", "dangjian.imports.tasks."


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not content_type.objects.using(db).filter(
        app_label="imports", model="pendingupload"
    ).exists():
        content_type.objects.using(db).filter(app_label="web", model="pendingupload").update(
            app_label="imports"
        )


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not content_type.objects.using(db).filter(app_label="web", model="pendingupload").exists():
        content_type.objects.using(db).filter(app_label="imports", model="pendingupload").update(
            app_label="web"
        )


def _rename_tasks(apps, schema_editor, old, new):
    result = apps.get_model("django_tasks_database", "DBTaskResult")
    db = schema_editor.connection.alias
    result.objects.using(db).filter(task_path__startswith=old).update(
        task_path=Replace("task_path", Value(old), Value(new))
    )


def move_tasks(apps, schema_editor):
    _rename_tasks(apps, schema_editor, OLD_TASKS, NEW_TASKS)


def move_tasks_back(apps, schema_editor):
    _rename_tasks(apps, schema_editor, NEW_TASKS, OLD_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_initial"),
        ("imports", "0002_pendingupload"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PendingUpload")],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
        migrations.RunPython(move_tasks, move_tasks_back),
    ]
