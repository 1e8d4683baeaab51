"""The data version, under which the dashboards' aggregates are cached: it changes once per
committed transaction, however many rows it saved, and never for a change rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction

from dangjian.core.version import data_version
from tests import factories

# Real commits: the version changes in on-commit callbacks.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transaction_saving_many_rows_changes_the_version_once():
    before = data_version()
    with transaction.atomic():
        for i in range(5):
            factories.person(f"张{i}")
    assert data_version() == before + 1


def test_each_change_outside_a_transaction_counts():
    first = data_version()
    factories.person("张三")  # in autocommit, its save and its history row each commit
    second = data_version()
    factories.person("李四")
    assert first < second < data_version()


def test_a_change_rolled_back_changes_nothing_and_a_later_one_still_counts():
    before = data_version()
    with transaction.atomic():
        try:
            with transaction.atomic():
                factories.person("李四")  # queues the change of version …
                raise RuntimeError
        except RuntimeError:
            pass  # … which the savepoint's rollback drops
        factories.person("王五")  # so this change queues it again
    assert data_version() == before + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.person("赵六")
        raise RuntimeError
    assert data_version() == before + 1
