"""Checks, after a fuzzing run, that the operations that end sessions were really exercised.

They run with a fresh sign-in of the `session` agent (hooks.py); if that went wrong, every call
would be a 401 and schemathesis would still pass. The audit log says what happened: at least one
logout and one refused password change of that agent must be there.

Usage: reached.py FIXTURES_JSON
"""

import json
import sys

import requests

REQUIRED = {"logged_out", "password_change_failed"}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        fixtures = json.load(file)
    session_id = fixtures["session"]["id"]
    headers = {"Authorization": f"Bearer {fixtures['token']}"}
    seen, cursor = set(), None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(f"{fixtures['base']}/api/v1/audit", headers=headers, params=params, timeout=30)
        if page.status_code == 401:
            sys.exit("the administrator's token stopped working: a fuzzed call ended its session")
        page.raise_for_status()
        body = page.json()
        seen |= {e["action"] for e in body["items"] if (e.get("actor") or {}).get("id") == session_id}
        cursor = body.get("next_cursor")
        if REQUIRED <= seen or not cursor:
            break
    missing = REQUIRED - seen
    if missing:
        sys.exit(f"the fuzzer never reached these session-ending outcomes: {sorted(missing)}")
    print(f"session-ending operations reached: {sorted(seen & REQUIRED)}")


if __name__ == "__main__":
    main()
