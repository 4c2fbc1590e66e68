"""Schemathesis hooks of scripts/fuzz.sh: the values a schema cannot express, from the seeded server.

A schema can say that `channel` is a slug, not which slugs this server has; that `cursor` is a
string, not which cursors it issued; that an upload is binary, not that it is a PNG. A test case
generated as valid (positive) gets real values for exactly these fields from FUZZ_FIXTURES (written
by prepare.py), so that `positive_data_acceptance` tests what the server does with valid requests
rather than its 404s and 422s. A case with any part generated as invalid (negative) is never
touched: it still tests that the server refuses it.
"""

import json
import os
import zlib

import schemathesis

with open(os.environ["FUZZ_FIXTURES"], encoding="utf-8") as _file:
    FIXTURES = json.load(_file)


def _positive(case) -> bool:
    """Whether the whole case was generated as valid; a case with any invalid part is left alone."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return False
    return all(component.mode.is_positive for component in meta.components.values())


def _pick(values: list, seed: object):
    """A value of `values` chosen by the generated value it replaces (deterministic, spread)."""
    return values[zlib.crc32(repr(seed).encode()) % len(values)]


def _fix_ticket_fields(body: dict) -> None:
    for field, known in (("channel", FIXTURES["channels"]), ("category", FIXTURES["categories"])):
        if isinstance(body.get(field), str):
            body[field] = _pick(known, body[field])
    assignee = body.get("assignee_id")
    # JSON Schema integers include integral floats such as `7.0`.
    if isinstance(assignee, (int, float)) and not isinstance(assignee, bool) and float(assignee).is_integer():
        body["assignee_id"] = _pick(FIXTURES["agent_ids"], int(assignee))


@schemathesis.hook
def map_case(context, case):
    if not _positive(case):
        return case
    method = case.operation.method.upper()
    path = case.operation.path

    # Path ids: half of the valid ones point at a seeded resource, so the handlers behind the 404
    # are exercised too.
    if isinstance(case.path_parameters, dict):
        raw = case.path_parameters.get("id")
        if isinstance(raw, int) and not isinstance(raw, bool) and raw % 2 == 0:
            known = FIXTURES["attachment_ids"] if path.startswith("/api/v1/attachments") else FIXTURES["ticket_ids"]
            case.path_parameters["id"] = _pick(known, raw)

    if isinstance(case.body, dict):
        if (method, path) in (("POST", "/api/v1/tickets"), ("PATCH", "/api/v1/tickets/{id}")):
            _fix_ticket_fields(case.body)
        if (method, path) == ("POST", "/api/v1/tickets/{id}/attachments") and "file" in case.body:
            files = case.body["file"]
            count = len(files) if isinstance(files, list) else 1
            content = [bytes.fromhex(FIXTURES["png"]), bytes.fromhex(FIXTURES["pdf"])]
            case.body["file"] = [content[i % 2] for i in range(min(max(count, 1), 10))]

    if isinstance(case.query, dict) and case.query.get("cursor") not in (None, ""):
        case.query["cursor"] = _pick(FIXTURES["cursors"], case.query["cursor"])
    return case
