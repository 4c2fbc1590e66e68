"""Prepares a fresh server for fuzzing, through its API only.

Registers the first account (the administrator), records a few dozen tickets across every
channel and category with comments, status changes, a second agent and attachments, and writes
what the fuzzing hooks need to FIXTURES: the token and the values that exist on this server.

Two more agents exist only to be fuzzed: `session` signs in afresh for every call of the
operations that end sessions (logout, password change), and `bystander` is the only agent that
`PATCH /agents/{id}` may change, so no generated call can end the administrator's session or
deactivate an agent that tickets are assigned to.

Usage: prepare.py BASE_URL FIXTURES_JSON
"""

import json
import sys
import time

import requests

# A 1x1 transparent PNG and the smallest PDF: content the upload endpoint accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TICKETS = 40


def main() -> None:
    base, fixtures_path = sys.argv[1], sys.argv[2]
    api = f"{base}/api/v1"
    http = requests.Session()

    def call(method: str, path: str, expect: int, **kwargs) -> requests.Response:
        response = http.request(method, f"{api}{path}", timeout=30, **kwargs)
        if response.status_code != expect:
            sys.exit(f"{method} {path}: expected {expect}, got {response.status_code}: {response.text}")
        return response

    for _ in range(100):
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    else:
        sys.exit("the server is not healthy")

    admin = call(
        "POST",
        "/auth/register",
        201,
        json={"name": "Fuzz Admin", "email": "fuzz-admin@groovoo.test", "password": "fuzzing-password-1"},
    ).json()
    if admin["agent"]["role"] != "admin":
        sys.exit("the fuzzing account is not the administrator: the data dir was not empty")
    token = admin["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    other = call(
        "POST",
        "/auth/register",
        201,
        json={"name": "Fuzz Agent", "email": "fuzz-agent@groovoo.test", "password": "fuzzing-password-2"},
    ).json()["agent"]

    extra = {}
    for role in ("session", "bystander"):
        email, password = f"fuzz-{role}@groovoo.test", f"fuzzing-password-{role}"
        agent = call("POST", "/auth/register", 201, json={"name": f"Fuzz {role}", "email": email, "password": password})
        extra[role] = {"id": agent.json()["agent"]["id"], "email": email, "password": password}

    channels = [c["slug"] for c in call("GET", "/channels", 200).json()]
    categories = [c["slug"] for c in call("GET", "/categories", 200).json()]
    agent_ids = [admin["agent"]["id"], other["id"]]

    ticket_ids = []
    for i in range(TICKETS):
        ticket = call(
            "POST",
            "/tickets",
            201,
            json={
                "subject": f"Ingresso não chegou #{i}",
                "customer_name": "João Conceição",
                "customer_contact": f"joao{i}@example.com",
                "channel": channels[i % len(channels)],
                "category": categories[i % len(categories)],
                "description": "Comprou ontem, nada no e-mail.\nPediu reenvio.",
                "assignee_id": agent_ids[i % 2],
                "priority": ["low", "normal", "high", "urgent"][i % 4],
            },
        ).json()
        ticket_ids.append(ticket["id"])
        if i % 3 == 0:
            call("POST", f"/tickets/{ticket['id']}/comments", 201, json={"body": "Reenviado."})
        if i % 4 == 1:
            call("PATCH", f"/tickets/{ticket['id']}", 200, json={"status": "waiting"})
        if i % 4 == 2:
            call("PATCH", f"/tickets/{ticket['id']}", 200, json={"status": "closed"})

    files = [("file", ("comprovante.png", PNG, "image/png")), ("file", ("recibo.pdf", PDF, "application/pdf"))]
    attachments = call("POST", f"/tickets/{ticket_ids[0]}/attachments", 201, files=files).json()

    page = call("GET", "/tickets", 200, params={"limit": 5}).json()
    audit = call("GET", "/audit", 200, params={"limit": 2}).json()
    fixtures = {
        "base": base,
        "token": token,
        "channels": channels,
        "categories": categories,
        "agent_ids": agent_ids,
        "ticket_ids": ticket_ids,
        "attachment_ids": [a["id"] for a in attachments],
        "cursors": {"/api/v1/tickets": [page["next_cursor"]], "/api/v1/audit": [audit["next_cursor"]]},
        "session": extra["session"],
        "bystander_id": extra["bystander"]["id"],
        "png": PNG.hex(),
        "pdf": PDF.hex(),
    }
    with open(fixtures_path, "w", encoding="utf-8") as out:
        json.dump(fixtures, out)
    print(
        f"seeded {len(ticket_ids)} tickets, {len(attachments)} attachments, "
        f"{len(channels)} channels, {len(categories)} categories, {len(agent_ids) + len(extra)} agents"
    )


if __name__ == "__main__":
    main()
