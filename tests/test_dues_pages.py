"""The pages of dues (docs/dues.md, "## 页面"): a branch's month saved as one import of the
`dues` kind (a bad amount gets the kind's Chinese message beside the member and nothing is
written), the yearly ledger's xlsx with the amount due from the policy's brackets, a
member's own history on their page, the per-area figures (collected, paid up, returned, the
拨返 rate, funds by source) and their xlsx; outside the jurisdiction 404."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.compliance.policy import load
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesPayment, DuesReturn, Fund
from dangjian.imports.models import ImportBatch
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
M = f"{MONTH:%Y-%m}"


@pytest.fixture
def branch(areas):
    po = factories.party_org(areas["wenyilu"], code="P-D", name="文艺路甲协会党支部")
    one, two = factories.member(None, relation=po), factories.member(None, relation=po)
    return {
        "po": po, "one": one, "two": two,
        "sec": factories.user("sec_d", role=Role.ORG, party_org=po),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "pozi": factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"]),
    }  # fmt: skip


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def month_post(b: dict[str, Any], **over: str) -> dict[str, str]:
    one, two = b["one"].pk, b["two"].pk
    day = MONTH.replace(day=10).isoformat()
    data = {
        f"category-{one}": "employed", f"base-{one}": "5000", f"paid-{one}": "50.00",
        f"paid_on-{one}": day,
        f"category-{two}": "retired", f"base-{two}": "4000", f"paid-{two}": "20",
        f"paid_on-{two}": day,
    }  # fmt: skip
    data.update(over)
    return data


def url(b: dict[str, Any]) -> str:
    return reverse("web:dues_month", kwargs={"code": "P-D", "month": M})


def test_a_month_of_a_branch_saved_as_one_import(branch):
    b = branch
    page = client(b["sec"]).get(url(b))
    assert page.status_code == 200
    assert b["one"].name in page.text and b["two"].name in page.text
    batches = ImportBatch.objects.count()
    response = client(b["sec"]).post(url(b), month_post(b))
    assert response.status_code == 302, response.text[:2000]
    assert ImportBatch.objects.count() == batches + 1  # one batch for the whole month
    stored = {d.person_id: d for d in DuesPayment.objects.filter(month=MONTH)}
    assert stored[b["one"].pk].paid == Decimal("50.00") and stored[b["one"].pk].base == 5000
    assert stored[b["two"].pk].category == "retired" and stored[b["two"].pk].paid == 20
    # The amount due now shows, from the policy's brackets.
    again = client(b["sec"]).get(url(b))
    policy = load()
    assert str(amount_due(policy, "employed", Decimal("5000"))) in again.text
    # A blank row is left alone; a re-save changes nothing.
    response = client(b["sec"]).post(url(b), month_post(b))
    assert response.status_code == 302 and DuesPayment.objects.count() == 2


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"paid-{one}": "1.234"}, "最多两位小数"),
        ({"base-{one}": ""}, "必填"),
        ({"category-{two}": "student"}, "不填写"),
        ({"paid_on-{one}": ""}, "实缴金额大于0时必填"),
    ],
)
def test_a_bad_value_is_refused_beside_its_member_and_nothing_is_written(branch, over, message):
    b = branch
    data = month_post(b, **{k.format(one=b["one"].pk, two=b["two"].pk): v for k, v in over.items()})
    batches = ImportBatch.objects.count()
    response = client(b["sec"]).post(url(b), data)
    assert response.status_code == 422
    assert message in response.text and "没有写入任何数据" in response.text
    assert not DuesPayment.objects.exists() and ImportBatch.objects.count() == batches


def test_the_ledger_and_the_member_s_history(branch):
    b = branch
    assert client(b["sec"]).post(url(b), month_post(b)).status_code == 302
    policy = load()
    due = amount_due(policy, "employed", Decimal("5000"))
    ledger = client(b["sec"]).get(
        reverse("web:dues_ledger", kwargs={"code": "P-D", "year": MONTH.year})
    )
    sheet = openpyxl.load_workbook(io.BytesIO(ledger.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "公民身份号码") and len(rows[0]) == 2 + 36 + 2
    line = next(r for r in rows[1:] if r[0] == b["one"].name)
    assert line[1] == b["one"].id_masked
    at = 2 + 3 * (MONTH.month - 1)
    assert [Decimal(str(v)) for v in line[at : at + 3]] == [Decimal("5000"), due, Decimal("50")]
    assert Decimal(str(line[-2])) == due and Decimal(str(line[-1])) == Decimal("50")
    person = client(b["sec"]).get(reverse("web:person", kwargs={"pk": b["one"].pk}))
    history = person.text.split('id="dues"')[1].split("</section>")[0]
    assert f"{MONTH:%Y-%m}" in history and str(due) in history and "50.00" in history


def test_the_figures_per_area_and_their_xlsx(branch, areas):
    b = branch
    assert client(b["sec"]).post(url(b), month_post(b)).status_code == 302
    year = MONTH.year
    DuesReturn.objects.create(party_org=b["po"], year=year, paid_up=Decimal("400"),
                              returned=Decimal("300"), returned_on=MONTH)  # fmt: skip
    Fund.objects.create(party_org=b["po"], year=year, source="pretax", amount=Decimal("2000"))
    Fund.objects.create(party_org=b["po"], year=year, source="donation", amount=Decimal("500"))
    other = factories.party_org(areas["chaoyang"], code="P-C", name="朝阳街乙党支部")
    Fund.objects.create(party_org=other, year=year, source="budget", amount=Decimal("100"))
    page = client(b["furong"]).get(reverse("web:dues_overview") + f"?year={year}")
    assert page.status_code == 200 and 'data-source="dues-chart"' in page.text
    xlsx = client(b["furong"]).get(reverse("web:dues_overview") + f"?year={year}&format=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = rows[0]
    lines = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    wenyilu = lines["文艺路街道"]
    assert Decimal(str(wenyilu["收缴党费(元)"])) == Decimal("70")
    assert Decimal(str(wenyilu["上缴党费(元)"])) == 400
    assert Decimal(str(wenyilu["返还(拨返)(元)"])) == 300 and wenyilu["拨返率"] == "75.0%"
    assert Decimal(str(wenyilu["经费：税前列支(元)"])) == 2000
    assert Decimal(str(wenyilu["经费合计(元)"])) == 2500
    chaoyang = lines["朝阳街街道"]
    assert Decimal(str(chaoyang["经费：财政预算(元)"])) == 100 and chaoyang["拨返率"] == "—"


def test_outside_the_jurisdiction_is_not_found(branch):
    b = branch
    other = client(b["pozi"])
    assert other.get(url(b)).status_code == 404
    assert other.post(url(b), month_post(b)).status_code == 404
    ledger = reverse("web:dues_ledger", kwargs={"code": "P-D", "year": MONTH.year})
    assert other.get(ledger).status_code == 404
    assert not DuesPayment.objects.exists()
