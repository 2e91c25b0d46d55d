"""The message contract as the JSON Schema exported from src/contract (`npm run contract:schema`).

RATIONALE: agents are validated against the generated schema, not a hand-written Python copy, so
the TypeScript and Python sides cannot drift apart silently (a unit test in the TypeScript suite
fails when the exported file is stale).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Literal, Mapping

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

MessageType = Literal[
    "user_snapshot", "agent_status", "team_update", "publisher_update", "notification", "campaign_metric"
]


class ContractError(ValueError):
    """A payload does not satisfy the contract; nothing was sent."""

    def __init__(self, message_type: str, path: str, reason: str) -> None:
        super().__init__(f"{message_type} violates the contract at {path}: {reason}")
        self.message_type = message_type
        self.path = path
        self.reason = reason


@lru_cache(maxsize=1)
def contract_schema() -> Mapping[str, Any]:
    text = resources.files("pubdev_agents").joinpath("contract.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@lru_cache(maxsize=None)
def _validator(message_type: MessageType, part: tuple[str, ...] = ()) -> Draft202012Validator:
    schema = contract_schema()
    if message_type not in schema["$defs"]:
        raise KeyError(f"unknown message type {message_type!r}")
    node = schema["$defs"][message_type]
    for key in part:
        node = node["properties"][key]
    # The root's $defs stay reachable for any internal $ref.
    return Draft202012Validator({**node, "$defs": schema["$defs"]})


def validate_message(message_type: MessageType, message: Mapping[str, Any]) -> None:
    """Raises ContractError naming the first offending field (its JSON path), or returns."""
    _raise_first(message_type, (), _validator(message_type).iter_errors(message))


def validate_part(message_type: MessageType, part: tuple[str, ...], value: Any) -> None:
    """Validates one field of a message (e.g. ("data", "progress")) against that field's own
    definition in the same schema.

    RATIONALE: a reporter re-checks only what changed. jsonschema needs about half a millisecond
    for a whole agent_status message, which is most of the budget when an agent reports a thousand
    times a second; the changed field alone is checked by the same library and schema.
    """
    _raise_first(message_type, part, _validator(message_type, part).iter_errors(value))


def _raise_first(message_type: str, part: tuple[str, ...], errors: Iterable[ValidationError]) -> None:
    first = best_match(errors)
    if first is None:
        return
    # best_match picks the branch of an anyOf that came closest, so the path names the field.
    while first.context:
        first = best_match(first.context) or first.context[0]
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*part, *first.absolute_path))
    raise ContractError(message_type, path, first.message)
