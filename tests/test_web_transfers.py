"""The pages of transfers (docs/transfers.md, "Pages"): the issuing side opens a transfer from
the member's page, the receiving side — a secretary who sees only the receiving Party
organization — accepts it (the relation moves) or returns it with a reason, and the issuing
side issues it again; bad input gets the kind's Chinese message beside its field and nothing
is written; a transfer outside both sides answers 404; the list and its xlsx; the letter,
masked unless the user has the right and asks (then in the audit log)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from dangjian.accounts.models import Role
from dangjian.core.models import AuditEvent
from dangjian.imports.writers import OUTSIDE
from dangjian.people.models import Membership
from dangjian.transfers.models import Transfer, TransferStatus
from tests import factories
from tests.importing import table_counts

pytestmark = pytest.mark.django_db

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def sides(areas):
    """甲 (文艺路) holds the member's relation; 乙 (坡子街) is to receive it; their secretaries,
    and a secretary of 丙 who is neither."""
    a = factories.party_org(areas["wenyilu"], code="P-A", name="甲党支部")
    b = factories.party_org(areas["pozi"], code="P-B", name="乙党支部")
    c = factories.party_org(areas["pozi"], code="P-C", name="丙党支部")
    member = factories.member(None, relation=a)
    return {
        "a": a, "b": b, "c": c, "member": member,
        "sec_a": factories.user("sec_a", role=Role.ORG, party_org=a),
        "sec_b": factories.user("sec_b", role=Role.ORG, party_org=b),
        "sec_c": factories.user("sec_c", role=Role.ORG, party_org=c),
    }  # fmt: skip


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def issue(sides, by: Client | None = None, **over: str) -> Any:
    data = {"to_party_org": "P-B", "to_name": "", "letter_no": "甲转〔2026〕1号",
            "issued_on": YESTERDAY.isoformat(), **over}  # fmt: skip
    url = reverse("web:transfer_new", kwargs={"person": sides["member"].pk})
    return (by or client(sides["sec_a"])).post(url, data)


def test_issue_accept_moves_the_relation(sides):
    page = client(sides["sec_a"]).get(reverse("web:person", kwargs={"pk": sides["member"].pk}))
    assert reverse("web:transfer_new", kwargs={"person": sides["member"].pk}) in page.text
    response = issue(sides)
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "web:transfer", kwargs={"pk": transfer.pk}
    )
    assert transfer.status == TransferStatus.OPEN and transfer.to_party_org == sides["b"]
    # The receiving secretary sees it (incoming) and accepts it.
    b = client(sides["sec_b"])
    listed = b.get(reverse("web:transfers") + "?direction=in")
    assert sides["member"].name in listed.text
    detail = b.get(reverse("web:transfer", kwargs={"pk": transfer.pk}))
    assert reverse("web:transfer_accept", kwargs={"pk": transfer.pk}) in detail.text
    accepted = b.post(reverse("web:transfer_accept", kwargs={"pk": transfer.pk}),
                      {"received_on": dt.date.today().isoformat()})  # fmt: skip
    assert accepted.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert Membership.objects.get(person=sides["member"]).relation_party_org == sides["b"]
    # The issuing secretary no longer holds the member but still sees the transfer issued.
    seen = client(sides["sec_a"]).get(reverse("web:transfer", kwargs={"pk": transfer.pk}))
    assert seen.status_code == 200


def test_return_needs_a_reason_and_the_transfer_is_issued_again(sides):
    issue(sides)
    transfer = Transfer.objects.get()
    b = client(sides["sec_b"])
    url = reverse("web:transfer_return", kwargs={"pk": transfer.pk})
    before = table_counts()
    empty = b.post(url, {"return_reason": ""})
    assert empty.status_code == 422 and "退回时须填写退回原因" in empty.text
    assert table_counts() == before
    assert b.post(url, {"return_reason": "介绍信抬头与接收党组织不符"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED
    assert transfer.return_reason == "介绍信抬头与接收党组织不符"
    assert Membership.objects.get(person=sides["member"]).relation_party_org == sides["a"]
    # 重新开出, prefilled from the returned one, to another Party organization
    a = client(sides["sec_a"])
    detail = a.get(reverse("web:transfer", kwargs={"pk": transfer.pk}))
    again = reverse("web:transfer_new", kwargs={"person": sides["member"].pk})
    assert f"{again}?again={transfer.pk}" in detail.text
    form = a.get(f"{again}?again={transfer.pk}")
    assert 'value="P-B"' in form.text
    assert a.post(again, {"to_party_org": "P-C", "to_name": "", "letter_no": "",
                          "issued_on": dt.date.today().isoformat()}).status_code == 302  # fmt: skip
    assert Transfer.objects.filter(status=TransferStatus.OPEN, to_party_org=sides["c"]).exists()


def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(sides):
    a = client(sides["sec_a"])
    issue(sides, a)
    before = table_counts()
    second = issue(sides, a, issued_on=dt.date.today().isoformat())
    assert second.status_code == 422 and "该党员已有一条办理中的组织关系转接" in second.text
    both = issue(sides, a, to_name="北京市某街道党工委", issued_on="2026-01-02")
    assert both.status_code == 422 and "只填写其中一项" in both.text
    unknown = issue(sides, a, to_party_org="P-NONE")
    assert unknown.status_code == 422 and "「P-NONE」: 党组织编码或名称不存在" in unknown.text
    future = issue(sides, a, issued_on="2099-01-01")
    assert future.status_code == 422 and "晚于今天" in future.text
    assert table_counts() == before


def test_a_transfer_from_a_party_organization_that_does_not_hold_the_relation(sides, tmp_path):
    Membership.objects.filter(person=sides["member"]).update(relation_party_org=sides["c"])
    # 甲's secretary no longer sees the member at all: 404 on the form
    url = reverse("web:transfer_new", kwargs={"person": sides["member"].pk})
    assert client(sides["sec_a"]).get(url).status_code == 404


def test_outside_both_sides_is_404_and_the_receiving_side_only_receives(sides):
    issue(sides)
    transfer = Transfer.objects.get()
    c = client(sides["sec_c"])
    for name in (
        "web:transfer",
        "web:transfer_accept",
        "web:transfer_return",
        "web:transfer_letter",
    ):
        assert c.get(reverse(name, kwargs={"pk": transfer.pk})).status_code == 404, name
    assert sides["member"].name not in c.get(reverse("web:transfers")).text
    # The issuing side cannot accept its own transfer to another Party organization.
    a = client(sides["sec_a"])
    assert a.get(reverse("web:transfer_accept", kwargs={"pk": transfer.pk})).status_code == 403


def test_the_receiving_side_may_not_change_anything_else(sides):
    """Through the kind: the receiving secretary may accept or return the incoming transfer
    as issued, and nothing else of it (docs/transfers.md)."""
    from dangjian.imports.records import record_save

    issue(sides)
    transfer = Transfer.objects.get()
    values = {
        "id_number": sides["member"].id_number, "from_party_org": "P-A", "to_party_org": "P-B",
        "to_name": "", "letter_no": transfer.letter_no, "issued_on": YESTERDAY.isoformat(),
        "status": "已接收", "received_on": dt.date.today().isoformat(),
    }  # fmt: skip
    changed = record_save(kind="transfers", values={**values, "letter_no": "改过的编号"},
                          user=sides["sec_b"], reason="测试")  # fmt: skip
    assert not changed.ok and OUTSIDE in str(changed.errors)
    elsewhere = record_save(kind="transfers", values={**values, "to_party_org": "P-C"},
                            user=sides["sec_b"], reason="测试")  # fmt: skip
    assert not elsewhere.ok
    assert Transfer.objects.get().status == TransferStatus.OPEN
    assert record_save(kind="transfers", values=values, user=sides["sec_b"], reason="测试").ok


def test_the_list_as_xlsx(sides):
    issue(sides)
    response = client(sides["sec_a"]).get(reverse("web:transfers") + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("党员", "公民身份号码", "转出党组织")
    assert rows[1][1] == sides["member"].id_masked and rows[1][6] == "办理中"


def test_the_letter_is_masked_unless_the_user_has_the_right_and_asks(sides):
    issue(sides)
    transfer = Transfer.objects.get()
    url = reverse("web:transfer_letter", kwargs={"pk": transfer.pk})
    a = client(sides["sec_a"])
    text = "\n".join(p.text for p in Document(io.BytesIO(a.get(url).content)).paragraphs)
    assert sides["member"].id_masked in text and sides["member"].id_number not in text
    assert a.get(url + "?unmask=1").status_code == 403
    root = factories.user("root", is_superuser=True, is_staff=True)
    full = client(root).get(url + "?unmask=1")
    text = "\n".join(p.text for p in Document(io.BytesIO(full.content)).paragraphs)
    assert sides["member"].id_number in text
    assert AuditEvent.objects.filter(user=root, detail__contains="组织关系介绍信").exists()


ACTORS = {"甲党支部书记": "sec_a", "乙党支部书记": "sec_b", "丙党支部书记": "sec_c",
          "坡子街街道干部": "twn_b", "文艺路街道干部": "twn_a"}  # fmt: skip


def test_docs_permissions_transfers_table_cell_by_cell(sides, areas):
    """docs/permissions.md's transfers table: every page as every actor; an allowed accept
    or return writes (then is undone), a refused one writes nothing."""
    from django.db import transaction

    from tests.test_permissions import read_table

    sides["twn_a"] = factories.user("twn_a", role=Role.TOWNSHIP, area=areas["wenyilu"])
    sides["twn_b"] = factories.user("twn_b", role=Role.TOWNSHIP, area=areas["pozi"])
    actors, rows = read_table("transfers-table", {"允许", "403", "404"})
    assert set(actors) == set(ACTORS)
    issue(sides)
    transfer = Transfer.objects.get()
    posts = {"web:transfer_accept": {"received_on": dt.date.today().isoformat()},
             "web:transfer_return": {"return_reason": "材料不全"}}  # fmt: skip
    for names, _target, said in rows:
        for name in names:
            for actor, outcome in said.items():
                c = client(sides[ACTORS[actor]])
                if name == "web:transfer_new":
                    url = reverse(name, kwargs={"person": sides["member"].pk})
                else:
                    url = reverse(name, kwargs={"pk": transfer.pk})
                sid = transaction.savepoint_create()
                if name in posts:
                    got = c.post(url, posts[name])
                    state = Transfer.objects.get().status
                    wrote = state != TransferStatus.OPEN
                    assert wrote == (outcome == "允许"), (name, actor, state)
                    code = 302 if outcome == "允许" else int(outcome)
                else:
                    got = c.get(url)
                    code = 200 if outcome == "允许" else int(outcome)
                transaction.savepoint_rollback(sid)
                assert got.status_code == code, (name, actor, got.status_code)


def test_the_destination_is_searched_by_code_or_name_and_the_party_org_page_links(sides):
    a = client(sides["sec_a"])
    search = reverse("web:transfer_destinations")
    found = a.get(search, {"to_party_org": "乙党"}).text
    assert 'value="P-B"' in found and "P-C" not in found
    assert 'value="P-C"' in a.get(search, {"to_party_org": "P-C"}).text
    office = factories.unit("天心区民政局", "civil_affairs", sides["b"].township)
    registry = factories.user("reg", role=Role.REGISTRY, unit=office)
    assert client(registry).get(search, {"to_party_org": "P"}).status_code == 403
    # the full name is taken for the code
    assert issue(sides, a, to_party_org="乙党支部").status_code == 302
    assert Transfer.objects.get().to_party_org == sides["b"]
    page = a.get(reverse("web:party_org", kwargs={"code": "P-A"})).text
    assert reverse("web:transfer_new", kwargs={"person": sides["member"].pk}) in page
    other = client(sides["sec_b"]).get(reverse("web:party_org", kwargs={"code": "P-B"})).text
    assert reverse("web:transfer_new", kwargs={"person": sides["member"].pk}) not in other


@pytest.mark.django_db(transaction=True)
def test_accepting_in_the_page_closes_the_dyn_transfer_task(areas):
    """A member of a dissolved Party organization: the township issues the transfer in the
    page, the receiving secretary (another township) accepts it; the task closes itself."""
    from django.utils import timezone

    from dangjian.compliance.engine import evaluate, record
    from dangjian.compliance.models import FindingRecord
    from dangjian.partyorgs.models import PartyOrgStatus
    from dangjian.tasks.models import Task

    today = timezone.localdate()
    dissolved = factories.party_org(
        areas["wenyilu"], code="P-OLD", name="已撤销党支部",
        status=PartyOrgStatus.DISSOLVED, dissolved_on=today - dt.timedelta(days=90),
    )  # fmt: skip
    receiving = factories.party_org(areas["pozi"], code="P-NEW", name="接收党支部")
    m = factories.member(None, relation=dissolved)
    record(evaluate(as_of=today))
    task = Task.objects.get(finding=FindingRecord.objects.get(rule="DYN-TRANSFER", subject_pk=m.pk))
    township = client(factories.user("twn", role=Role.TOWNSHIP, area=areas["wenyilu"]))
    url = reverse("web:transfer_new", kwargs={"person": m.pk})
    sent = township.post(url, {"to_party_org": "P-NEW", "to_name": "", "letter_no": "",
                               "issued_on": today.isoformat()})  # fmt: skip
    assert sent.status_code == 302, sent.content.decode()
    transfer = Transfer.objects.get(person=m)
    task.refresh_from_db()
    assert task.state not in ("fixed", "closed")
    secretary = client(factories.user("sec_new", role=Role.ORG, party_org=receiving))
    accepted = secretary.post(reverse("web:transfer_accept", kwargs={"pk": transfer.pk}),
                              {"received_on": today.isoformat()})  # fmt: skip
    assert accepted.status_code == 302
    assert Membership.objects.get(person=m).relation_party_org == receiving
    task.refresh_from_db()
    assert task.state == "fixed"


def test_a_second_transfer_on_the_same_issue_day_is_refused_with_the_reason(sides):
    """The key is the member + 开出日期 (CONTRACT.md): re-issuing a returned transfer on its own
    issue day is refused beside the date, and nothing is written."""
    a = client(sides["sec_a"])
    issue(sides, a)
    transfer = Transfer.objects.get()
    client(sides["sec_b"]).post(
        reverse("web:transfer_return", kwargs={"pk": transfer.pk}), {"return_reason": "不符"}
    )
    before = table_counts()
    again = issue(sides, a, to_party_org="P-C")
    assert again.status_code == 422
    assert f"该党员在 {YESTERDAY} 已开出一条组织关系转接（已退回）" in again.text
    assert table_counts() == before
