-- API tokens and the audit log.

-- Named, long-lived credentials an agent creates for integrations. Only the SHA-256 of the secret
-- is kept (the secret is 256 random bits, so a fast hash is enough: nothing to brute-force);
-- `prefix` is the first characters of the secret, shown so people can tell their tokens apart.
-- Revoked tokens stay, with `revoked_at`, so the audit log can still name them.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY NOT NULL,
    agent_id     BIGINT  NOT NULL REFERENCES agents (id),
    name         TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'read_write')),
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_agent ON api_tokens (agent_id, id);

-- Security-relevant events, newest first by id (AUTOINCREMENT: ids are never reused, so keyset
-- pages are stable). `target` names what the event is about (`agent:3`, `token:7`); `details` is
-- a JSON object of strings and never holds a password, a token or a secret.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at       TIMESTAMP NOT NULL,
    actor_id BIGINT  REFERENCES agents (id),
    action   TEXT    NOT NULL,
    target   TEXT,
    ip       TEXT,
    details  TEXT    NOT NULL DEFAULT '{}'
);

-- Append-only, whatever writes to the database.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
