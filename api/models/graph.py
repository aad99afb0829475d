"""Typed shapes of the graph's data in the JSON API: one model per label and relationship type.

Node models are named ``<Label>Node`` (``StakeholderNode``), relationship models
``<Type>Relationship`` (``WorksAtRelationship``); both are generated from the domain model's
specs (``kamgraph.model.LABELS`` and ``REL_TYPES``): enumerations become ``Literal``, numbers
carry their ranges, dates are ISO 8601 text as the store keeps them (a date, or a date with a
time), lists are lists of text. Every record also keeps custom properties (any other
identifier), so the models allow extra keys.

They describe what the API gives back, and FastAPI checks every answer against them. Bodies
that *write* are checked by ``kamgraph.model.parse_node`` / ``parse_relationship`` instead — the
same rules and messages as an import — so their schemas are put into the OpenAPI document with
:func:`node_body` / :func:`relationship_body` rather than parsed by pydantic. Errors have one
shape, :class:`ErrorBody`; :class:`ProblemRoute` brings FastAPI's own request errors into it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal, Union

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from starlette.exceptions import HTTPException  # FastAPI raises Starlette's for a bad body

from kamgraph.errors import Problem as DomainProblem
from kamgraph.errors import ValidationFailed
from kamgraph.io.csv_io import LABEL_FILES
from kamgraph.limits import MAX_ID, MAX_STRING, MAX_TEXT
from kamgraph.model import LABELS, LIST_SEPARATOR, REL_TYPES, Prop

__all__ = [
    "ERRORS",
    "LIMIT_ERRORS",
    "NODE_MODELS",
    "PLURALS",
    "RELATIONSHIP_MODELS",
    "AnyNode",
    "AnyRelationship",
    "ErrorBody",
    "ImportReport",
    "NodeDetail",
    "Problem",
    "ProblemRoute",
    "RelationshipPage",
    "detail_model",
    "errors",
    "node_body",
    "node_record",
    "page_model",
    "records_body",
    "relationship_body",
]

PLURALS = {label: file.removesuffix(".csv").replace("_", "-") for label, file in LABEL_FILES.items()}
"""The collection path of each label: ``Stakeholder`` → ``stakeholders``,
``AccountManager`` → ``account-managers`` (the CSV file names, kebab-case)."""

ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}"


# -- errors --------------------------------------------------------------------------------


class Problem(BaseModel):
    """One thing wrong with the input (``kamgraph.errors.Problem``): the file (``null`` for a
    request body), where in it (``body``, ``nodes[3]``, ``row 7``, ``query``), the field and why."""

    file: str | None
    location: str
    field: str | None
    reason: str


class ErrorBody(BaseModel):
    """An error: ``detail`` says what went wrong; a 422 lists every ``problem`` found."""

    detail: str
    problems: list[Problem] | None = Field(
        default=None, description="Every problem found (422 only).")


_MEANINGS = {
    401: "No valid API token.",
    403: "The node exists but lies outside your territories, or only an admin may change it.",
    404: "No such node or relationship, or it lies outside your territories.",
    409: "A node with this id exists already, or what you changed was changed by someone else "
         "since you read it.",
    408: "A write whose body stopped arriving for KAMGRAPH_REQUEST_SECONDS; nothing was written.",
    413: "The request's body is larger than this route takes (the answer names the setting); "
         "nothing was written.",
    422: "The input breaks the domain rules (or the request is malformed); every problem is "
         "listed and nothing was written.",
    503: "The store cannot be reached, or a read took longer than KAMGRAPH_REQUEST_SECONDS; "
         "try again shortly.",
}
ERRORS: dict[int, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in _MEANINGS.items()}


LIMIT_ERRORS: dict[int | str, dict[str, Any]] = {code: ERRORS[code] for code in (408, 413, 503)}
"""What any route may answer for the limits of ``api.limits`` and an unreachable store."""


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: 401 and these statuses, with their meaning and body."""
    return {code: ERRORS[code] for code in (401, *codes)}


class ProblemRoute(APIRoute):
    """A route whose malformed requests (bad query values, JSON that does not parse, a body
    that is not text) answer 422 in the :class:`ErrorBody` shape, like every domain problem,
    not in FastAPI's own shapes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def problems_as_ours(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise ValidationFailed([_problem(error) for error in exc.errors()]) from None
            except HTTPException as exc:
                # FastAPI and Starlette answer 400 for a body they cannot even decode (bytes that
                # are not UTF-8, broken multipart); nothing else in these routes raises 400.
                if exc.status_code == 400:
                    why = _unreadable(exc)
                    raise ValidationFailed([DomainProblem(
                        None, "body", None, f"cannot be read ({why})")]) from None
                raise

        return problems_as_ours


def _unreadable(exc: HTTPException) -> str:
    """Why a body could not be parsed, in words (Python's JSON reader stops at deep nesting and
    at numbers of more than 4,300 digits)."""
    if isinstance(exc.__cause__, RecursionError):
        return "nests too deeply"
    if isinstance(exc.__cause__, ValueError) and "digits" in str(exc.__cause__):
        return "holds a number with too many digits"
    return str(exc.detail)


def _problem(error: Any) -> DomainProblem:
    location, *rest = [str(part) for part in error.get("loc", ("request",))] or ["request"]
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return DomainProblem(None, location, None, f"is not valid JSON: {reason}".rstrip(": "))
    return DomainProblem(None, location, ".".join(rest) or None, str(error.get("msg", "")))


# -- records -------------------------------------------------------------------------------

_RECORD_CONFIG = ConfigDict(extra="allow")  # custom properties


def _value_type(prop: Prop) -> Any:
    """The pydantic type of a property, its range and sensitivity in the schema."""
    description = "Personal data." if prop.sensitive else None
    if prop.kind == "enum":
        return Annotated[Literal[prop.choices], Field(description=description)]  # type: ignore[valid-type]
    if prop.kind in ("int", "float"):
        return _number(prop)
    if prop.kind == "date":
        return Annotated[str, Field(pattern=ISO_DATE_PATTERN, description=(
            "ISO 8601: a date (2026-03-31) or a date with a time."))]
    if prop.kind == "list":
        item = Annotated[str, Field(max_length=MAX_STRING, pattern=f"^[^{LIST_SEPARATOR}]*$")]
        return Annotated[list[item], Field(description=description)]  # type: ignore[valid-type]
    limit = MAX_TEXT if prop.kind == "text" else MAX_STRING
    return Annotated[str, Field(max_length=limit, description=description)]


def _number(prop: Prop) -> Any:
    bounds = {key: value for key, value in (("minimum", prop.minimum), ("maximum", prop.maximum))
              if value is not None}
    if prop.kind == "int":
        return Annotated[int, Field(ge=prop.minimum, le=prop.maximum)]
    # int | float keeps a stored 1 as 1 (a plain float would answer 1.0); the schema says number.
    return Annotated[int | float, Field(ge=prop.minimum, le=prop.maximum),
                     WithJsonSchema({"type": "number", **bounds})]


def _optional(prop: Prop) -> tuple[Any, Any]:
    return (_value_type(prop) | None, None)


def _node_model(label: str) -> type[BaseModel]:
    spec = LABELS[label]
    fields: dict[str, Any] = {
        "label": (Literal[label], ...),  # type: ignore[valid-type]
        "id": (Annotated[str, Field(min_length=1, max_length=MAX_ID)], ...),
        "name": (Annotated[str, Field(min_length=1, max_length=MAX_STRING)], ...),
        **{name: _optional(prop) for name, prop in spec.props.items()},
    }
    return create_model(f"{label}Node", __config__=_RECORD_CONFIG,
                        __doc__=f"A {label} node (kamgraph's JSON record).", **fields)


def _camel(rel_type: str) -> str:
    return "".join(part.capitalize() for part in rel_type.split("_"))


def _relationship_model(rel_type: str) -> type[BaseModel]:
    spec = REL_TYPES[rel_type]
    ends = ", ".join(sorted(f"{a} → {b}" for a, b in spec.endpoints))
    fields: dict[str, Any] = {
        "type": (Literal[rel_type], ...),  # type: ignore[valid-type]
        "from_": (str, Field(alias="from")),
        "to": (str, ...),
        **{name: _optional(prop) for name, prop in spec.props.items()},
    }
    if spec.key:  # part of the identity, so required
        fields[spec.key] = (_value_type(spec.props[spec.key]), ...)
    symmetric = " Symmetric: kept once with from < to." if spec.symmetric else ""
    return create_model(
        f"{_camel(rel_type)}Relationship",
        __config__=ConfigDict(extra="allow", serialize_by_alias=True),
        __doc__=f"A {rel_type} relationship ({ends}).{symmetric}", **fields)


NODE_MODELS: dict[str, type[BaseModel]] = {label: _node_model(label) for label in LABELS}
RELATIONSHIP_MODELS: dict[str, type[BaseModel]] = {t: _relationship_model(t) for t in REL_TYPES}

AnyNode = Annotated[Union[tuple(NODE_MODELS.values())], Field(discriminator="label")]  # type: ignore[valid-type]  # noqa: UP007
AnyRelationship = Annotated[  # type: ignore[valid-type]
    Union[tuple(RELATIONSHIP_MODELS.values())], Field(discriminator="type")]  # noqa: UP007


def node_record(label: str) -> type[BaseModel]:
    """The record model of one label."""
    return NODE_MODELS[label]


def page_model(label: str) -> type[BaseModel]:
    """A page of one label's nodes, in id order (or best name match first with ``q``)."""
    return create_model(
        f"{label}Page", __doc__=f"A page of {label} nodes.",
        items=(list[NODE_MODELS[label]], ...),  # type: ignore[name-defined]
        limit=(int, ...), offset=(int, ...),
        has_more=(bool, Field(description="Whether another page follows.")))


def detail_model(label: str | None) -> type[BaseModel]:
    """A node with the relationships the caller can see (any label when ``label`` is None)."""
    node_type = AnyNode if label is None else NODE_MODELS[label]
    return create_model(
        f"{label or 'Node'}Detail",
        __doc__="A node and its relationships (those whose other end you can see).",
        node=(node_type, ...), relationships=(list[AnyRelationship], ...))


NodeDetail = detail_model(None)


class RelationshipPage(BaseModel):
    """A page of relationships ordered by (type, from, to, role)."""

    items: list[AnyRelationship]
    limit: int
    offset: int
    has_more: bool = Field(description="Whether another page follows.")


class ImportReport(BaseModel):
    """What an import or a batch found and did (``written`` is false for a dry run)."""

    nodes: int
    relationships: int
    written: bool
    problems: list[Problem]


# -- request bodies (OpenAPI only; parse_node / parse_relationship check them) -------------


def _inline(schema: dict[str, Any], definitions: dict[str, Any] | None = None) -> Any:
    """The schema with every ``$ref`` to its ``$defs`` replaced by the definition itself, so it
    can sit inside an OpenAPI operation (whose ``#/$defs`` would not resolve)."""
    definitions = schema.get("$defs", {}) if definitions is None else definitions
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    return schema


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": schema}}}}


def _node_input_schema(label: str, *, id_required: bool) -> dict[str, Any]:
    schema = _inline(NODE_MODELS[label].model_json_schema())
    schema["required"] = ["id", "name"] if id_required else ["name"]
    schema["additionalProperties"] = True
    schema["description"] = (
        f"A {label}: id, name and properties. `label` may be left out. Other keys whose names are "
        "identifiers are kept as custom properties; null or empty values are absent.")
    return schema


def node_body(label: str, *, id_required: bool) -> dict[str, Any]:
    """``openapi_extra`` documenting a node body of ``label`` (``id`` in the path when not
    required)."""
    return _body(_node_input_schema(label, id_required=id_required))


def _relationship_input_schema() -> dict[str, Any]:
    options = [_inline(model.model_json_schema(by_alias=True))
               for model in RELATIONSHIP_MODELS.values()]
    return {"oneOf": options, "description": "One relationship record: type, from, to and "
                                             "properties (ROLE_IN needs its role)."}


def relationship_body() -> dict[str, Any]:
    """``openapi_extra`` documenting one relationship record as a body."""
    return _body(_relationship_input_schema())


def records_body() -> dict[str, Any]:
    """``openapi_extra`` documenting a batch shaped like an import JSON file."""
    nodes = {"oneOf": [_node_input_schema(label, id_required=True) for label in LABELS]}
    schema = {"type": "object", "properties": {
        "nodes": {"type": "array", "items": nodes},
        "relationships": {"type": "array", "items": _relationship_input_schema()}},
        "description": "Like an import JSON file: every record is checked before any is written."}
    return _body(schema)
