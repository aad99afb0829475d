"""Analysis answers kept as the JSON the API sends (``api.answers``)."""

from __future__ import annotations

import json
from datetime import date

from api.answers import JsonAnswers, json_answer
from api.models.analyses import TenderInfluence
from kamgraph import services
from kamgraph.cache import AnalysisCache
from kamgraph.store.base import GraphStore
from tests.store.test_contract import TERRITORY, person

DAY = date(2026, 6, 1)


def test_the_rendered_answer_is_the_model_of_the_answer_and_kept_until_a_write(store: GraphStore) -> None:
    store.upsert(*TERRITORY)
    cache = AnalysisCache()
    view = JsonAnswers(cache, TenderInfluence)
    first = services.tender_influence(store, "t1", as_of=DAY, cache=view)
    assert isinstance(first, bytes)
    answer = services.tender_influence(store, "t1", as_of=DAY)
    assert json.loads(first) == json.loads(TenderInfluence.model_validate(answer).model_dump_json())
    assert services.tender_influence(store, "t1", as_of=DAY, cache=view) is first  # served as kept
    assert (cache.stats.hits, cache.stats.misses) == (1, 1)
    store.upsert([person("s-d", "Dmitry Renamed", category="official")])
    again = services.tender_influence(store, "t1", as_of=DAY, cache=view)
    assert "Dmitry Renamed" in again.decode() and cache.stats.stale == 1
    # the plain answers and the rendered ones are kept apart
    assert services.tender_influence(store, "t1", as_of=DAY, cache=cache) == services.tender_influence(
        store, "t1", as_of=DAY)


def test_without_a_cache_the_answer_is_rendered_each_time(store: GraphStore) -> None:
    store.upsert(*TERRITORY)
    response = json_answer(TenderInfluence, None, lambda c: services.tender_influence(
        store, "t1", as_of=DAY, cache=c))
    assert response.media_type == "application/json"
    assert json.loads(response.body)["tender"]["id"] == "t1"
