"""Organization life in the pages and the API: a secretary records a meeting (a draft),
submits it; the township returns it with an opinion, the secretary corrects and resubmits,
the township approves — each step through the gate, refused in Chinese where its state or
its user does not allow it; the API writes through the same import checks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.life.models import Attendance, Meeting, ReviewState
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    w = build_world(areas)
    branch = w.party_orgs["fr"]
    w.people["a"] = factories.member(
        None, relation=branch, joined_on=dt.date(2019, 1, 1), confirmed_on=None
    )
    w.people["b"] = factories.member(
        None, relation=branch, joined_on=dt.date(2019, 1, 1), confirmed_on=None
    )
    return w


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form(world, **over):
    a, b = world.people["a"], world.people["b"]
    data = {
        "type": "支部党员大会", "held_on": "2026-01-15", "party_group": "", "topic": "学习党章",
        "place": "会议室", "host": "张书记", "recorder": "李委员", "minutes": "一、学习\n二、讨论",
        "duty_political": "1", f"att_{a.pk}": "present", f"att_{b.pk}": "leave",
        f"reason_{b.pk}": "出差、开会", "reason": "",
    }  # fmt: skip
    data.update(over)
    return data


def test_the_review_round_trip_in_the_pages(world):
    secretary, township = client(world.users["secretary"]), client(world.users["wenyilu"])
    new = reverse("web:meeting_new", kwargs={"code": "D-FR-1"})
    page = secretary.get(new)
    assert page.status_code == 200
    assert world.people["a"].name in page.content.decode()  # prefilled with the members
    response = secretary.post(new, form(world))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:meeting", args=[meeting.pk]
    )
    assert meeting.state == ReviewState.DRAFT and (meeting.expected, meeting.present) == (2, 1)
    assert Attendance.objects.get(person=world.people["b"]).reason == "出差 开会"
    # The township cannot approve a draft; the secretary submits it.
    approve = reverse("web:meeting_approve", args=[meeting.pk])
    township.post(approve)
    assert Meeting.objects.get().state == ReviewState.DRAFT
    secretary.post(reverse("web:meeting_submit", args=[meeting.pk]))
    assert Meeting.objects.get().state == ReviewState.SUBMITTED
    # Under review, the secretary cannot change it; the page says why.
    edit = reverse("web:meeting_edit", args=[meeting.pk])
    version = secretary.get(edit).context["version"]
    locked = secretary.post(edit, form(world, topic="改", version=version))
    assert "已报送上级审核" in locked.content.decode()
    # The secretary cannot review their own; the township sees it in its queue.
    secretary.post(approve)
    assert Meeting.objects.get().state == ReviewState.SUBMITTED
    assert meeting.topic in township.get(reverse("web:life_review")).content.decode()
    # A return needs an opinion.
    back = reverse("web:meeting_return", args=[meeting.pk])
    page = township.post(back, {"opinion": ""}, follow=True)
    assert "退回时须填写审核意见" in page.content.decode()
    township.post(back, {"opinion": "请补充讨论内容"})
    meeting.refresh_from_db()
    assert (meeting.state, meeting.opinion) == (ReviewState.RETURNED, "请补充讨论内容")
    assert (
        "请补充讨论内容"
        in secretary.get(reverse("web:meeting", args=[meeting.pk])).content.decode()
    )
    # Corrected: a draft again, then submitted again and approved.
    edit = reverse("web:meeting_edit", args=[meeting.pk])
    version = secretary.get(edit).context["version"]
    response = secretary.post(
        edit, form(world, minutes="一、学习\n二、讨论：补充", version=version)
    )
    assert response.status_code == 302
    assert Meeting.objects.get().state == ReviewState.DRAFT
    secretary.post(reverse("web:meeting_submit", args=[meeting.pk]))
    township.post(approve, {"opinion": "同意"})
    meeting.refresh_from_db()
    assert meeting.state == ReviewState.APPROVED and meeting.reviewed_by == world.users["wenyilu"]
    history = [h.history_change_reason for h in meeting.history.order_by("history_id")]
    assert history[-1] == "审核通过会议记录" and "退回会议记录" in history


def test_a_form_error_is_shown_next_to_its_field_and_nothing_is_written(world):
    secretary = client(world.users["secretary"])
    page = secretary.post(
        reverse("web:meeting_new", kwargs={"code": "D-FR-1"}), form(world, held_on="2099-01-01")
    )
    assert page.status_code == 200
    assert "晚于今天" in page.content.decode() and "学习党章" in page.content.decode()
    assert not Meeting.objects.exists()


def test_meetings_outside_the_jurisdiction_answer_as_missing(world):
    officer = client(world.users["wenyilu"])
    officer.post(reverse("web:meeting_new", kwargs={"code": "D-FR-1"}), form(world))
    meeting = Meeting.objects.get()
    assert meeting.state == ReviewState.APPROVED  # an officer's record is approved as written
    outsider = client(world.users["outsider"])
    for name in ("web:meeting", "web:meeting_edit", "web:meeting_minutes"):
        assert outsider.get(reverse(name, args=[meeting.pk])).status_code == 404
    assert outsider.get(reverse(name, args=[999999])).status_code == 404
    assert outsider.post(reverse("web:meeting_submit", args=[meeting.pk])).status_code == 404
    assert outsider.get(reverse("web:meeting_new", kwargs={"code": "D-FR-1"})).status_code == 404
    assert outsider.get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    assert outsider.get("/api/v1/meetings").json() == {"items": [], "count": 0}
    assert client(world.users["furong"]).get("/api/v1/meetings").json()["count"] == 1


def test_the_api_writes_through_the_same_checks(world):
    api = client(world.users["secretary"])
    body = {"party_org": "D-FR-1", "type": "党课", "held_on": "2026-02-01", "topic": "党课：初心",
            "expected": "3", "present": "4"}  # fmt: skip
    refused = api.post("/api/v1/meetings", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"column": "present", "message": "多于应到人数 3"}]
    assert not Meeting.objects.exists()
    body["present"] = "3"
    ok = api.post("/api/v1/meetings", json.dumps(body), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["created"] == 1
    meeting = Meeting.objects.get()
    assert meeting.state == ReviewState.DRAFT
    submitted = api.post(f"/api/v1/meetings/{meeting.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    again = api.post(f"/api/v1/meetings/{meeting.pk}/submit")
    assert again.status_code == 422 and "不能再次报送" in again.json()["detail"]
    other = {**body, "party_org": "D-TX-1"}
    outside = api.post("/api/v1/meetings", json.dumps(other), content_type="application/json")
    assert outside.status_code == 422 and "管辖范围" in outside.json()["errors"][0]["message"]


def test_the_life_pages_answer_for_every_officer_and_the_secretary(world):
    officer = client(world.users["wenyilu"])
    officer.post(reverse("web:meeting_new", kwargs={"code": "D-FR-1"}), form(world))
    for who in ("city", "furong", "wenyilu", "secretary"):
        c = client(world.users[who])
        page = c.get(reverse("web:party_org_life", kwargs={"code": "D-FR-1"}))
        assert page.status_code == 200, who
        assert "学习党章" in page.content.decode()
        assert page.context["row"] is not None
        overview = c.get(reverse("web:life"), follow=True)
        assert overview.status_code == 200, who
    assert (
        client(world.users["outsider"])
        .get(reverse("web:party_org_life", kwargs={"code": "D-FR-1"}))
        .status_code
        == 404
    )
    branches = client(world.users["furong"]).get(reverse("web:life_branches") + "?year=2025")
    assert branches.status_code == 200
    assert "芙蓉区书法协会党支部" in branches.content.decode()  # no meeting in 2025
    assert "天心区" not in branches.content.decode()


def test_the_documents_download_through_the_gate(world):
    officer = client(world.users["wenyilu"])
    officer.post(reverse("web:meeting_new", kwargs={"code": "D-FR-1"}), form(world))
    meeting = Meeting.objects.get()
    minutes = officer.get(reverse("web:meeting_minutes", args=[meeting.pk]))
    assert minutes.status_code == 200 and minutes.content[:2] == b"PK"
    assert "attachment" in minutes["Content-Disposition"]
    for name in ("web:life_statistics", "web:life_duties"):
        sheet = officer.get(reverse(name) + "?year=2026")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK", name
    assert (
        client(world.users["outsider"])
        .get(reverse("web:meeting_minutes", args=[meeting.pk]))
        .status_code
        == 404
    )


# Who may open and save the meeting form of each branch (GET, then POST of a valid meeting):
# 允许, 403 (sees the branch, may not write meetings), 404 (outside the jurisdiction), 登录.
FORM_WALK = {
    "D-FR-1": {
        "admin": "允许", "city": "允许", "furong": "允许", "wenyilu": "允许", "registry": "403",
        "supervisor": "404", "secretary": "允许", "instructor": "404", "outsider": "404",
        "anonymous": "登录",
    },
    "D-TX-1": {
        "admin": "允许", "city": "允许", "furong": "404", "wenyilu": "404", "registry": "404",
        "supervisor": "404", "secretary": "404", "instructor": "404", "outsider": "允许",
        "anonymous": "登录",
    },
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(FORM_WALK))
def test_the_meeting_form_answers_each_actor_as_its_jurisdiction_says(world, code):
    admin = factories.user("admin-life", is_superuser=True, is_staff=True)
    url = reverse("web:meeting_new", kwargs={"code": code})
    for who, expected in FORM_WALK[code].items():
        c = Client()
        if who == "admin":
            c.force_login(admin)
        elif who != "anonymous":
            c.force_login(world.users[who])
        before = Meeting.objects.count()
        data = form(world, held_on="2026-03-02", topic=f"{who}的会议")
        get, post = c.get(url), c.post(url, data)
        if expected == "登录":
            assert get.status_code == post.status_code == 302, who
            assert "/login/" in get["Location"], who
        elif expected == "允许":
            assert get.status_code == 200, who
            assert post.status_code == 302, (who, post.content.decode()[-2000:])
            assert Meeting.objects.count() == before + 1, who
            Meeting.objects.filter(topic=f"{who}的会议").delete()
            continue
        else:
            assert (get.status_code, post.status_code) == (int(expected), int(expected)), who
        assert Meeting.objects.count() == before, who


def test_the_reportable_lists_are_scoped_and_exported(world):
    from dangjian.life.models import Activity, DemonstrationSite, Pairing

    fr, tx = world.party_orgs["fr"], world.party_orgs["tx"]
    Activity.objects.create(party_org=fr, kind="volunteer", held_on=dt.date(2026, 3, 5),
                            title="芙蓉志愿服务", duties="masses")  # fmt: skip
    Activity.objects.create(party_org=tx, kind="volunteer", held_on=dt.date(2026, 3, 5),
                            title="天心志愿服务", duties="masses")  # fmt: skip
    Pairing.objects.create(
        party_org=fr, partner_name="某局机关党委", started_on=dt.date(2025, 1, 1)
    )
    DemonstrationSite.objects.create(party_org=tx, level="district", year=2025)
    page = client(world.users["furong"]).get(reverse("web:life_lists") + "?year=2026")
    body = page.content.decode()
    assert page.status_code == 200
    assert "某局机关党委" in body and "天心区助学基金会党支部" not in body
    assert page.context["tables"][0].rows[-1][0] == "合计"
    assert page.context["tables"][0].rows[-1][-1] == 1  # 芙蓉区's one activity, not 天心区's
    sheet = client(world.users["outsider"]).get(
        reverse("web:life_lists") + "?year=2025&export=sites"
    )
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[2][3] == "天心区助学基金会党支部" and len(rows) == 3


def test_a_secretary_sets_up_corrects_a_party_group_and_cannot_duplicate_it(world):
    from dangjian.life.models import PartyGroup

    secretary = client(world.users["secretary"])
    leader = world.people["a"]
    new = reverse("web:party_group_new", kwargs={"code": "D-FR-1"})
    data = {"name": "第一党小组", "leader": leader.id_number, "founded_on": "2024-01-01",
            "dissolved_on": "", "reason": ""}  # fmt: skip
    assert secretary.post(new, data).status_code == 302
    group = PartyGroup.objects.get()
    assert (group.party_org, group.leader) == (world.party_orgs["fr"], leader)
    again = secretary.post(new, data)
    assert again.status_code == 422 and "已存在" in again.content.decode()
    edit = reverse("web:party_group_edit", args=[group.pk])
    page = secretary.get(edit)
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    changed = secretary.post(edit, {**data, "dissolved_on": "2026-06-30", "version": version})
    assert changed.status_code == 302
    group.refresh_from_db()
    assert group.dissolved_on == dt.date(2026, 6, 30) and PartyGroup.objects.count() == 1
    bad = secretary.post(new, {**data, "name": "第二党小组", "founded_on": "2099-01-01"})
    assert bad.status_code == 422 and "晚于今天" in bad.content.decode()
    outsider = client(world.users["outsider"])
    assert outsider.get(edit).status_code == 404
    assert outsider.get(new).status_code == 404
    assert client(world.users["registry"]).get(new).status_code == 403
