"""Schemathesis hooks of scripts/fuzz.sh: the values a schema cannot express, from the seeded server.

A schema can say that `channel` is a slug, not which slugs this server has; that `cursor` is a
string, not which cursors it issued; that an upload is binary, not that it is a PNG. A test case
generated as valid (positive) gets real values for exactly these fields from FUZZ_FIXTURES (written
by prepare.py), so that `positive_data_acceptance` tests what the server does with valid requests
rather than its 404s and 422s. A case with any part generated as invalid (negative) is not
touched (it still tests that the server refuses it), except that no case may change the agents
the run depends on (`_spare_agents`).

Authentication is given here too, by two auth providers, rather than by a fixed header: every
operation uses the administrator's token, except the two that end the caller's sessions (logout
and password change), which get a fresh sign-in of the dedicated `session` agent for every call.
"""

import json
import os
import uuid
import zlib
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone

import requests
import schemathesis
from schemathesis.generation.meta import TestPhase

with open(os.environ["FUZZ_FIXTURES"], encoding="utf-8") as _file:
    FIXTURES = json.load(_file)


SESSION_ENDING = ["logout", "change_password"]
# The seeded ids valid path ids are drawn from, by the path's first segment after /api/v1.
KNOWN_IDS = {"tickets": "ticket_ids", "attachments": "attachment_ids"}


class _Bearer:
    """Sets `Authorization: Bearer <token>` on a case."""

    def set(self, case, data, context):
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.auth(refresh_interval=None).apply_to(operation_id=SESSION_ENDING)
class FreshSession(_Bearer):
    """A new login token for each call: the call may end every session of its agent."""

    def get(self, case, context):
        session = FIXTURES["session"]
        response = requests.post(
            f"{FIXTURES['base']}/api/v1/auth/login",
            json={"email": session["email"], "password": session["password"]},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["token"]


@schemathesis.auth().skip_for(operation_id=SESSION_ENDING)
class Administrator(_Bearer):
    """The administrator's token, which no generated call can invalidate."""

    def get(self, case, context):
        return FIXTURES["token"]


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


def _spare_agents(case) -> None:
    """`PATCH /agents/{id}` never reaches the administrator, the assignees or the session agent.

    In every phase and mode, not only valid cases: a stateful run takes ids from responses (say
    `GET /me`), and once it has made the bystander an administrator, demoting or deactivating the
    fuzzing administrator would succeed and end the session the rest of the run uses.
    """
    if case.operation.path != "/api/v1/agents/{id}" or not isinstance(case.path_parameters, dict):
        return
    raw = case.path_parameters.get("id")
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isdigit():
        return
    protected = {*FIXTURES["agent_ids"], FIXTURES["session"]["id"]}
    if int(raw) in protected:
        case.path_parameters["id"] = FIXTURES["bystander_id"] if isinstance(raw, int) else str(FIXTURES["bystander_id"])


@schemathesis.hook
def map_case(context, case):
    _spare_agents(case)
    if not _positive(case):
        return case
    method = case.operation.method.upper()
    path = case.operation.path

    # Path ids: half of the valid ones point at a seeded resource, so the handlers behind the 404
    # are exercised too. The stateful phase's ids come from responses (links) and stay as they are.
    stateful = case.meta.phase.name == TestPhase.STATEFUL
    if isinstance(case.path_parameters, dict) and not stateful:
        raw = case.path_parameters.get("id")
        if path == "/api/v1/agents/{id}" and isinstance(raw, int) and not isinstance(raw, bool):
            # Only the bystander may be deactivated or have its role changed; other ids are
            # moved past every agent (404), never onto the administrator or an assignee.
            case.path_parameters["id"] = FIXTURES["bystander_id"] if raw % 2 == 0 else 1_000_000 + raw % 1000
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw % 2 == 0:
            known = KNOWN_IDS.get(path.split("/")[3])
            if known:
                case.path_parameters["id"] = _pick(FIXTURES[known], raw)

    if isinstance(case.headers, MutableMapping) and case.headers.get("Idempotency-Key"):
        # A key is a promise about one request: a generated key reused with another body is
        # rightly refused (422 `idempotency_key_reused`), so each valid case gets its own.
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if isinstance(case.body, dict) and (method, path) == ("POST", "/api/v1/tokens"):
        expires = case.body.get("expires_at")
        if isinstance(expires, str):
            # The schema says date-time; only the server knows "in the future".
            case.body["expires_at"] = (datetime.now(timezone.utc) + timedelta(days=1 + len(expires))).isoformat()

    if isinstance(case.body, dict):
        if (method, path) in (("POST", "/api/v1/tickets"), ("PATCH", "/api/v1/tickets/{id}")):
            _fix_ticket_fields(case.body)
        if (method, path) == ("POST", "/api/v1/tickets/{id}/attachments") and "file" in case.body:
            files = case.body["file"]
            count = len(files) if isinstance(files, list) else 1
            content = [bytes.fromhex(FIXTURES["png"]), bytes.fromhex(FIXTURES["pdf"])]
            case.body["file"] = [content[i % 2] for i in range(min(max(count, 1), 10))]

    cursors = FIXTURES["cursors"].get(path)
    if cursors and isinstance(case.query, dict) and case.query.get("cursor") not in (None, ""):
        case.query["cursor"] = _pick(cursors, case.query["cursor"])
    return case
