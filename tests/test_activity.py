"""Logging contacts: dates must be real contacts, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kamgraph.activity import log_interaction
from kamgraph.errors import ValidationFailed
from kamgraph.store.base import GraphStore
from tests.analysis.builders import load, node, person, rel


@pytest.mark.parametrize("day", [date.today() + timedelta(days=1), date(9999, 12, 31), date(1899, 12, 31)])
def test_a_contact_in_the_future_or_before_1900_is_refused_and_nothing_written(
        store: GraphStore, day: date) -> None:
    load(store, [node("AccountManager", "am-1", role="kam"), person("s-1"),
                 rel("RELATES_TO", "am-1", "s-1", stage="engaged", last_contact="2026-01-05")])
    version = store.graph_version()
    with pytest.raises(ValidationFailed) as refused:
        log_interaction(store, "am-1", "s-1", day=day, channel="call")
    assert [(p.field, p.reason[:10]) for p in refused.value.problems] == [("date", day.isoformat())]
    assert store.graph_version() == version
    (relates,) = store.relationships_of("s-1", rel_type="RELATES_TO")
    assert relates.props["last_contact"] == "2026-01-05"


def test_today_is_logged_and_moves_last_contact_forward(store: GraphStore) -> None:
    load(store, [node("AccountManager", "am-1", role="kam"), person("s-1"),
                 rel("RELATES_TO", "am-1", "s-1", stage="engaged", last_contact="2026-01-05")])
    logged = log_interaction(store, "am-1", "s-1", day=date.today(), channel="visit")
    assert logged["relationship"]["last_contact"] == date.today().isoformat()
    assert logged["warnings"] == []
