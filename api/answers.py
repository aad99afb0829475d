"""Analysis answers as the API sends them: JSON bytes, rendered once per cached answer.

Rendering an answer (validating it against its response model, then dumping JSON) took most
of a cached request: 50 ms for the largest region's coverage (6,000 gaps) at national scale,
against 4 ms to find the answer. :class:`JsonAnswers` is a view of the app's
:class:`~kamgraph.cache.AnalysisCache` that keeps each answer as its rendered bytes, under the
same key with the model's name added, so a cached answer is served as it is and is
invalidated exactly like the answer. The bytes are validated when rendered, so nothing goes
out that its model does not describe.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.cache import AnalysisCache, Answers, Computed
from kamgraph.store.base import GraphStore

__all__ = ["JsonAnswers", "json_answer"]


class JsonAnswers:
    """The cache's answers rendered as ``model`` JSON (see the module doc)."""

    def __init__(self, cache: AnalysisCache, model: type[BaseModel]) -> None:
        self.cache, self.model = cache, model

    def answer(self, store: GraphStore, analysis: str, arguments: tuple[Hashable, ...],
               compute: Callable[[], Computed], *, config: AnalysisConfig = DEFAULT) -> bytes:
        def rendered() -> Computed:
            answer, basis = compute()
            return render(self.model, answer), basis

        return bytes(self.cache.answer(store, f"{analysis}:{self.model.__name__}", arguments, rendered,
                                       config=config))


def render(model: type[BaseModel], answer: Any) -> bytes:
    return model.model_validate(answer).model_dump_json(by_alias=True).encode()


def json_answer(model: type[BaseModel], cache: AnalysisCache | None,
                ask: Callable[[Answers | None], Any]) -> Response:
    """The response to an analysis route: ``ask(cache)`` calls the service with the cache view
    (or with none, then renders its answer)."""
    body = render(model, ask(None)) if cache is None else ask(JsonAnswers(cache, model))
    return Response(body, media_type="application/json")
