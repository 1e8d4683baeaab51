"""Real administrative divisions: Changsha shipped with the project, others from the package."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dangjian.areas import divisions
from dangjian.areas.models import Area, AreaLevel, Unit

pytestmark = pytest.mark.django_db


def test_it_loads_all_172_changsha_townships_with_their_real_codes():
    divisions.load_changsha()
    changsha = Area.objects.get(code="430100")
    townships = Area.objects.within(changsha).filter(level=AreaLevel.TOWNSHIP)
    assert townships.count() == 172
    assert Area.objects.get(code="430102001").name == "文艺路街道"
    assert Area.objects.get(code="430102001").parent.name == "芙蓉区"
    districts = Area.objects.filter(parent=changsha).order_by("code")
    assert [d.name for d in districts] == [
        "芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "长沙县", "浏阳市", "宁乡市",
    ]  # fmt: skip
    assert Area.objects.get(code="430102001001").name == "识字里社区"


def test_it_keeps_the_materialized_path_consistent_with_the_parents():
    divisions.load_changsha()
    for area in Area.objects.select_related("parent"):
        assert area.path == area.compute_path()
    furong = Area.objects.get(code="430102")
    assert (
        Area.objects.within(furong).filter(level=AreaLevel.TOWNSHIP).count() == 14
    )  # incl. 隆平高科技园
    assert all(a.path.startswith("/430000/430100/430102/") for a in Area.objects.within(furong))


def test_loading_twice_writes_nothing_the_second_time():
    first = divisions.load_changsha()
    history = Area.history.count()
    assert first == Area.objects.count() == 1832
    assert divisions.load_changsha() == 0
    assert Area.history.count() == history


def test_it_renames_an_area_whose_official_name_changed():
    divisions.load_changsha()
    Area.objects.filter(code="430102001").update(name="旧名")
    assert divisions.load_changsha() == 1
    assert Area.objects.get(code="430102001").name == "文艺路街道"


def test_the_shipped_file_is_what_the_package_gives():
    shipped = list(divisions.read_file(divisions.CHANGSHA_FILE))
    assert shipped == list(divisions.changsha_from_package())


def test_it_loads_another_province_from_the_package():
    written = divisions.load_from_package(["46"], with_communities=False)  # 海南省
    hainan = Area.objects.get(code="460000")
    assert hainan.level == AreaLevel.PROVINCE
    assert written == Area.objects.within(hainan).count()
    assert Area.objects.within(hainan).filter(level=AreaLevel.TOWNSHIP).count() > 100
    assert not Area.objects.filter(level=AreaLevel.COMMUNITY).exists()


@pytest.mark.parametrize(
    ("raw", "short"),
    [
        ("识字里社区居委会", "识字里社区"),
        ("八方社区委员会", "八方社区"),
        ("白沙村村民委员会", "白沙村"),
        ("大屯营村委会", "大屯营村"),
        ("红旗居委会", "红旗社区"),
        ("长沙经开区管理委员会", "长沙经开区管理委员会"),
    ],
)
def test_it_uses_the_names_people_use_for_communities(raw, short):
    assert divisions.short_community_name(raw) == short


def test_init_migrates_loads_and_creates_the_registries(capsys):
    call_command("init")
    call_command("init")
    out = capsys.readouterr().out
    assert "乡镇(街道) 172 个" in out
    assert "本次写入 0 个" in out.splitlines()[-1]
    assert Unit.objects.filter(name="芙蓉区民政局", area__code="430102").exists()
    assert Unit.objects.filter(name="长沙市民政局").exists()
    assert Unit.objects.count() == 10
