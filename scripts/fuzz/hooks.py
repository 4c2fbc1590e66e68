"""Schemathesis hooks of scripts/fuzz.sh: the values a schema cannot express, from the seeded server.

A schema can say that `channel` is a slug, not which slugs this server has; that `cursor` is a
string, not which cursors it issued; that an upload is binary, not that it is a PNG; that `If-Match`
carries entity tags, not the ticket's current version. A part of a test case generated as valid
(positive) gets real values for exactly these fields from FUZZ_FIXTURES (written by prepare.py),
so that `positive_data_acceptance` tests what the server does with valid requests rather than its
404s and 422s. Parts generated as invalid (negative) are never touched: those still test that the
server refuses them.
"""

import json
import os
import zlib

import schemathesis
from schemathesis.core.parameters import ParameterLocation

with open(os.environ["FUZZ_FIXTURES"], encoding="utf-8") as _file:
    FIXTURES = json.load(_file)


def _positive(case, location: ParameterLocation) -> bool:
    meta = case.meta
    if meta is None:
        return False
    component = meta.components.get(location)
    mode = component.mode if component is not None else meta.generation.mode
    return mode.is_positive


def _pick(values: list, seed: object):
    """A value of `values` chosen by the generated value it replaces (deterministic, spread)."""
    return values[zlib.crc32(repr(seed).encode()) % len(values)]


def _fix_ticket_fields(body: dict) -> None:
    for field, known in (("channel", FIXTURES["channels"]), ("category", FIXTURES["categories"])):
        if isinstance(body.get(field), str):
            body[field] = _pick(known, body[field])
    if isinstance(body.get("assignee_id"), int) and not isinstance(body["assignee_id"], bool):
        body["assignee_id"] = _pick(FIXTURES["agent_ids"], body["assignee_id"])


@schemathesis.hook
def map_case(context, case):
    method = case.operation.method.upper()
    path = case.operation.path

    # Path ids: half of the valid ones point at a seeded resource, so the handlers behind the 404
    # are exercised too.
    if _positive(case, ParameterLocation.PATH) and isinstance(case.path_parameters, dict):
        raw = case.path_parameters.get("id")
        if isinstance(raw, int) and raw % 2 == 0:
            known = FIXTURES["attachment_ids"] if path.startswith("/api/v1/attachments") else FIXTURES["ticket_ids"]
            case.path_parameters["id"] = _pick(known, raw)

    if _positive(case, ParameterLocation.BODY) and isinstance(case.body, dict):
        if (method, path) in (("POST", "/api/v1/tickets"), ("PATCH", "/api/v1/tickets/{id}")):
            _fix_ticket_fields(case.body)
        if (method, path) == ("POST", "/api/v1/tickets/{id}/attachments") and "file" in case.body:
            files = case.body["file"]
            count = len(files) if isinstance(files, list) else 1
            content = [bytes.fromhex(FIXTURES["png"]), bytes.fromhex(FIXTURES["pdf"])]
            case.body["file"] = [content[i % 2] for i in range(max(count, 1))]

    if _positive(case, ParameterLocation.QUERY) and isinstance(case.query, dict):
        if "cursor" in case.query and case.query["cursor"] not in (None, ""):
            case.query["cursor"] = _pick(FIXTURES["cursors"], case.query["cursor"])

    if _positive(case, ParameterLocation.HEADER) and isinstance(case.headers, dict):
        if method == "PATCH" and "If-Match" in case.headers:
            # The current version changes as the run edits tickets; `*` is the one tag that is
            # valid whatever it is.
            case.headers["If-Match"] = "*"
    return case
