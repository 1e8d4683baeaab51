import datetime as dt

from tests import factories


def test_it_builds_a_small_dataset(areas):
    org = factories.org(areas["wenyilu"])
    factories.member(org)
    po = factories.party_org(areas["wenyilu"], covers=[org])
    assert org.is_active(dt.date(2020, 1, 1))
    assert po.coverages.get().is_current(dt.date(2020, 1, 1))
