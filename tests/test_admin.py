"""The admin: every page of every model opens, in Chinese; identity numbers stay hidden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection, models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area, AreaLevel, UnitKind
from dangjian.core.admin import ReadOnlyAdmin
from dangjian.core.models import AuditAction, AuditEvent
from dangjian.imports.models import ImportBatch, PendingUpload
from dangjian.orgs.models import RegistrationMode
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Instructor,
    InstructorAssignment,
    InstructorSource,
)
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus
from tests import factories

PROJECT_APPS = (
    "accounts", "areas", "orgs", "people", "partyorgs", "core", "imports", "compliance", "reports",
)  # fmt: skip
REGISTRY = [
    pytest.param(model, model_admin, id=model._meta.label)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda i: i[0]._meta.label)
]


# --- Helpers --------------------------------------------------------------------------------


def admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, f"{url} {params}: {response.status_code}"
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "社会组织党建工作管理系统" in html
    for english in ('value="Save"', ">Delete<", ">History<", "Change history:"):
        assert english not in html, f"{url}: untranslated {english!r}"
    return html


def search_term_for(model_admin: admin.ModelAdmin, obj: models.Model) -> str:
    """The value of the first search field on `obj`, e.g. its name or code."""
    value: Any = obj
    for part in model_admin.search_fields[0].lstrip("^=@").split("__"):
        value = getattr(value, part)
    return str(value)


def inline_management_data(response: Any) -> dict[str, str]:
    """Management-form data of the page's inlines, for an object that has no inline rows."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        assert formset.initial_form_count() == 0
        data[f"{formset.prefix}-TOTAL_FORMS"] = "0"
        data[f"{formset.prefix}-INITIAL_FORMS"] = "0"
    return data


def post_person(client: Client, person: Person | None = None, **fields: str) -> Any:
    url = admin_url(Person, "change", person.pk) if person else admin_url(Person, "add")
    data = {"name": "王五", "political_status": PoliticalStatus.MASSES, "id_number": ""}
    data |= inline_management_data(client.get(url))
    data |= fields
    return client.post(url, data)


def db_rows(model: type[models.Model], pk: int) -> list[tuple[Any, ...]]:
    """The raw rows of an object in its table and in its history table."""
    rows = []
    history_model = model.history.model  # type: ignore[attr-defined]
    for table, key in ((model._meta.db_table, "id"), (history_model._meta.db_table, "id")):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE {key} = %s", [pk])
            rows.extend(cursor.fetchall())
    return rows


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def superuser(db) -> User:
    # No password: hashing one costs more than the whole page test, and force_login needs none.
    return User.objects.create_superuser("admin", "admin@example.com", password=None)


@pytest.fixture
def logged_in(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


def _axes_records() -> None:
    """A failed log-in, for the lockout list (django-axes' records, in Chinese)."""
    from axes.models import AccessAttempt

    common = {"user_agent": "测试", "ip_address": "127.0.0.1", "username": "someone"}
    AccessAttempt.objects.create(
        **common,
        attempt_time=timezone.now(),
        failures_since_start=1,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )


def _findings_and_proposals(areas) -> None:
    from dangjian.compliance.models import CheckRun, FindingRecord
    from dangjian.reports.models import JointProposal

    today = timezone.localdate()
    FindingRecord.objects.create(
        rule="COV-JOINT", subject_type="social_org", subject_key="51430102MJJ000001X",
        subject_name="测试社会组织", area="430102001", area_path=areas["wenyilu"].path,
        severity="medium", message="测试问题", first_seen=today, last_seen=today,
        policy_version="test",
    )  # fmt: skip
    CheckRun.objects.create(as_of=today, policy_version="test")
    from dangjian.core.models import DataVersion

    DataVersion.objects.get_or_create(pk=1, defaults={"value": 1})
    from dangjian.accounts.tokens import token_create

    token_create(user=factories.user("token_holder"), name="测试令牌")
    JointProposal.objects.create(as_of=today, policy_version="test", plan={"groups": []})


@pytest.fixture
def dataset(areas) -> dict[str, Any]:
    """One object of every registered model (and their neighbours)."""
    registry = factories.unit("芙蓉区民政局", UnitKind.CIVIL_AFFAIRS, areas["furong"])
    supervisor = factories.unit("芙蓉区教育局", UnitKind.SUPERVISORY, areas["furong"])
    org = factories.org(
        areas["wenyilu"],
        name="芙蓉区测试教育协会",
        registry=registry,
        registration_mode=RegistrationMode.SUPERVISED,
        supervisor=supervisor,
        industry="education",
    )
    other_org = factories.org(areas["pozi"], name="天心区测试公益基金会", kind="foundation")
    AuditEvent.objects.create(action=AuditAction.UNMASK_EXPORT, detail="测试导出")
    _axes_records()
    _findings_and_proposals(areas)
    ImportBatch.objects.create(
        kind="orgs", file_name="测试.csv", file_sha256="0" * 64, started_at=timezone.now()
    )
    party_org = factories.party_org(areas["wenyilu"], name="芙蓉区测试教育协会党支部", covers=[org])
    secretary = factories.member(org, relation=party_org)
    CommitteeMembership.objects.create(
        party_org=party_org,
        person=secretary,
        role=CommitteeRole.SECRETARY,
        started_on=dt.date(2016, 1, 1),
        full_time=True,
    )
    instructor = Instructor.objects.create(
        person=factories.person("李指导"), source=InstructorSource.RETIRED_CADRE
    )
    InstructorAssignment.objects.create(
        instructor=instructor, org=other_org, started_on=dt.date(2020, 3, 1)
    )
    township = User.objects.create_user(
        "wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"], last_name="赵"
    )
    PendingUpload.objects.create(
        user=township, kind="orgs", file_name="测试.csv", folder="admin-test"
    )
    Group.objects.create(name="乡镇(街道)干部")
    return {"org": org, "party_org": party_org, "secretary": secretary, "instructor": instructor}


# --- Registration -----------------------------------------------------------------------------


def test_every_project_model_is_registered_with_change_history():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, HistoricalChanges):
                assert model not in admin.site._registry, model
                continue
            assert model in admin.site._registry, f"{model._meta.label} is not in the admin"
            model_admin = admin.site._registry[model]
            if isinstance(model_admin, ReadOnlyAdmin):
                continue  # an append-only log: its rows are the history
            assert isinstance(model_admin, SimpleHistoryAdmin), model


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY)
def test_foreign_keys_are_never_plain_selects(model, model_admin):
    """Areas, organizations and people count in the hundreds of thousands: pick them by search."""
    inlines = [cls(model, admin.site) for cls in model_admin.inlines]
    for each in [model_admin, *inlines]:
        picked = set(each.autocomplete_fields) | set(each.raw_id_fields)
        for field in each.model._meta.get_fields():
            if not isinstance(field, models.ForeignKey) or not field.editable:
                continue
            if each is not model_admin and field.related_model is model:
                continue  # an inline's link to its parent: not in the form
            if field.name not in picked:
                pytest.fail(f"{each.model._meta.label}.{field.name} is a plain <select>")


# --- Every page of every model ------------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY)
def test_every_admin_page_opens_in_chinese(logged_in, superuser, dataset, model, model_admin):
    opts = model._meta
    objects = model._default_manager.all()
    if model is User:
        objects = objects.exclude(pk=superuser.pk)
    obj = objects.order_by("pk").first()
    assert obj is not None, f"the dataset has no {opts.label}"
    names = (str(opts.verbose_name), str(opts.verbose_name_plural))
    change_url = admin_url(model, "change", obj.pk)

    html = page(logged_in, admin_url(model, "changelist"))
    assert names[1] in html
    assert change_url in html

    if model_admin.search_fields:
        term = search_term_for(model_admin, obj)
        html = page(logged_in, admin_url(model, "changelist"), q=term)
        assert change_url in html, f"searching {term!r} does not find {obj}"

    request = RequestFactory().get("/")
    request.user = superuser
    if not model_admin.has_add_permission(request):
        # An append-only log (ours, or django-axes' records of log-ins): seen, not written.
        assert logged_in.get(admin_url(model, "add")).status_code == 403
        assert names[0] in page(logged_in, change_url)  # the view-only page
        expected = 200 if model_admin.has_delete_permission(request, obj) else 403
        assert logged_in.get(admin_url(model, "delete", obj.pk)).status_code == expected
        return

    html = page(logged_in, admin_url(model, "add"))
    assert names[0] in html

    html = page(logged_in, change_url)
    assert names[0] in html

    html = page(logged_in, admin_url(model, "history", obj.pk))
    assert names[1] in html
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert "变更历史" in html
        assert "从下面的列表中选择一个日期以还原" in html
        record = obj.history.latest()
        assert admin_url(model, "simple_history", obj.pk, record.history_id) in html
        html = page(logged_in, admin_url(model, "simple_history", obj.pk, record.history_id))
        assert names[0] in html

    html = page(logged_in, admin_url(model, "delete", obj.pk))
    assert names[1] in html


def test_blank_choices_are_chinese(logged_in, dataset):
    for url in (admin_url(Person, "changelist"), admin_url(Employment, "add")):
        html = page(logged_in, url)
        assert "Select an option" not in html
    assert "请选择" in page(logged_in, admin_url(Employment, "add"))


def test_permissions_and_history_tables_have_chinese_names(logged_in, dataset):
    html = page(logged_in, admin_url(User, "add"))
    assert "historical" not in html
    from django.contrib.auth.models import Permission

    assert Permission.objects.get(codename="add_socialorganization").name == "新增社会组织"


def test_every_changelist_filter_opens(logged_in, dataset):
    """Every choice of every filter answers (the district filters, the dated ones)."""
    for model in admin.site._registry:
        url = admin_url(model, "changelist")
        response = logged_in.get(url)
        assert response.status_code == 200
        for spec in response.context["cl"].filter_specs:
            for choice in list(spec.choices(response.context["cl"]))[1:]:
                query = choice["query_string"].lstrip("?")
                assert logged_in.get(f"{url}?{query}").status_code == 200, (model, query)


# --- Big tables -------------------------------------------------------------------------------


def test_changelists_of_big_tables_use_a_bounded_number_of_queries(
    logged_in, areas, django_assert_max_num_queries
):
    party_org = factories.party_org(areas["wenyilu"])
    for n in range(30):
        org = factories.org(areas["wenyilu" if n % 2 else "pozi"])
        factories.member(org, relation=party_org)
    assert Person.objects.count() == 30
    # Session, user, count, rows, and a filter's choices: not one query per row.
    for model in (factories.SocialOrganization, Person, Employment, Membership):
        url = admin_url(model, "changelist")
        with django_assert_max_num_queries(8):
            html = page(logged_in, url)
        assert html.count(f'href="{url}') >= 30


# --- Identity numbers ---------------------------------------------------------------------------


def test_adding_a_person_stores_the_number_only_encrypted_and_masked(logged_in):
    number = factories.id_number_for(birth="19900704")
    response = post_person(logged_in, name="王五", id_number=f" {number[:6]} {number[6:]} ")
    assert response.status_code == 302, response.content.decode()

    person = Person.objects.get(name="王五")
    assert person.id_masked == number[:6] + "********" + number[-4:]
    assert person.id_number == number
    assert person.birth_date == dt.date(1990, 7, 4)
    for row in db_rows(Person, person.pk):
        assert all(number not in str(value) for value in row), row

    html = page(logged_in, admin_url(Person, "changelist"))
    assert person.id_masked in html
    assert number not in html
    html = page(logged_in, admin_url(Person, "change", person.pk))
    assert person.id_masked in html
    assert number not in html
    assert person.id_encrypted not in html
    assert person.id_hash not in html


def test_an_invalid_number_is_a_chinese_form_error(logged_in):
    number = factories.id_number_for()
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    response = post_person(logged_in, id_number=wrong)
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    response = post_person(logged_in, id_number="43010219850312")
    assert "应为18位，实为14位" in response.content.decode()
    response = post_person(logged_in, id_number="")
    assert "这个字段是必填项" in response.content.decode()
    assert not Person.objects.exists()


def test_a_duplicate_number_is_a_chinese_form_error(logged_in):
    number = factories.id_number_for()
    existing = factories.person("张三", id_number=number)
    response = post_person(logged_in, name="张三丰", id_number=number)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已登记为人员「张三" in html
    assert Person.objects.count() == 1

    other = factories.person("李四")
    response = post_person(logged_in, other, name="李四", id_number=number)
    assert response.status_code == 200
    assert "已登记为人员「张三" in response.content.decode()
    other.refresh_from_db()
    assert other.id_hash != existing.id_hash


def test_changing_a_person_keeps_or_replaces_the_number(logged_in):
    person = factories.person("李四")
    before = person.id_hash
    response = post_person(logged_in, person, name="李四光", id_number="")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.id_hash) == ("李四光", before)

    new_number = factories.id_number_for(birth="19700101")
    response = post_person(logged_in, person, name="李四光", id_number=new_number)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == new_number
    assert person.birth_date == dt.date(1970, 1, 1)


def test_the_history_of_a_person_never_shows_the_encrypted_number(logged_in):
    person = factories.person("李四")
    old_token = person.id_encrypted
    post_person(logged_in, person, name="李四", id_number=factories.id_number_for())
    person.refresh_from_db()
    html = page(logged_in, admin_url(Person, "history", person.pk))
    assert "公民身份号码（加密）" not in html
    assert old_token not in html
    assert person.id_encrypted not in html
    assert person.id_masked in html  # the masked change is shown


def test_restoring_an_old_version_of_a_person_keeps_hash_and_number_together(logged_in):
    old_number = factories.id_number_for()
    person = factories.person("李四", id_number=old_number)
    post_person(logged_in, person, name="李四", id_number=factories.id_number_for())
    first = person.history.earliest()
    url = admin_url(Person, "simple_history", person.pk, first.history_id)
    # The history form has no inlines.
    data = {"name": "李四", "political_status": PoliticalStatus.MASSES, "id_number": ""}
    response = logged_in.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert Person.objects.by_id_number(old_number).get() == person


def test_searching_people_by_a_full_id_number_finds_them_through_the_hash(logged_in, dataset):
    number = factories.id_number_for()
    person = factories.person("钱七", id_number=number)
    factories.person("钱八")
    url = admin_url(Person, "changelist")
    for term in (number, number.lower(), f" {number} "):
        html = page(logged_in, url, q=term)
        assert admin_url(Person, "change", person.pk) in html
        assert "钱八" not in html
    assert "钱八" in page(logged_in, url, q="钱")  # a name search works as usual

    # The related lists and the person pickers find people the same way.
    secretary = dataset["secretary"]
    html = page(logged_in, admin_url(CommitteeMembership, "changelist"), q=secretary.id_number)
    assert admin_url(CommitteeMembership, "change", secretary.offices.get().pk) in html
    response = logged_in.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "partyorgs",
            "model_name": "committeemembership",
            "field_name": "person",
            "term": number,
        },
    )
    assert [r["id"] for r in response.json()["results"]] == [str(person.pk)]


# --- Areas --------------------------------------------------------------------------------------


def area_data(area: Area, **fields: Any) -> dict[str, Any]:
    data = {"code": area.code, "name": area.name, "level": area.level, "parent": area.parent_id}
    return data | fields


def test_adding_an_area_computes_its_path(logged_in, areas):
    response = logged_in.post(
        admin_url(Area, "add"),
        {"code": "430102003", "name": "韭菜园街道", "level": AreaLevel.TOWNSHIP,
         "parent": areas["furong"].pk, "path": "/forged/"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Area.objects.get(code="430102003").path == "/430000/430100/430102/430102003/"


def test_moving_an_area_moves_everything_under_it(logged_in, areas):
    township, community = areas["wenyilu"], areas["community"]
    response = logged_in.post(
        admin_url(Area, "change", township.pk), area_data(township, parent=areas["tianxin"].pk)
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.path == "/430000/430100/430103/430102001/430102001001/"
    assert community.history.latest().history_change_reason.startswith("上级区划")


def test_an_area_cannot_be_put_under_itself(logged_in, areas):
    district = areas["furong"]
    response = logged_in.post(
        admin_url(Area, "change", district.pk), area_data(district, parent=areas["wenyilu"].pk)
    )
    assert response.status_code == 200
    assert "上级区划不能是本区划或其下级区划" in response.content.decode()


# --- Users ---------------------------------------------------------------------------------------


def test_adding_a_user_with_a_role_checks_the_jurisdiction(logged_in, areas):
    url = admin_url(User, "add")
    data = {"username": "furong", "usable_password": "false", "role": Role.DISTRICT}
    response = logged_in.post(url, data | {"area": areas["wenyilu"].pk})
    assert response.status_code == 200
    assert "管辖区划应为区县(市)" in response.content.decode()

    response = logged_in.post(url, data | {"area": areas["furong"].pk})
    assert response.status_code == 302
    user = User.objects.get(username="furong")
    assert user.jurisdiction_label() == "芙蓉区 · 区级管理员"
    assert "芙蓉区 · 区级管理员" in page(logged_in, admin_url(User, "changelist"))
