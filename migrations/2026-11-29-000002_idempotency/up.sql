-- Idempotency-Key on POST /tickets and POST /tickets/{id}/comments: the first response to a key,
-- stored in the same transaction as the ticket or comment it created, so a retry replays it.
-- Rows older than 24 hours are ignored and deleted by later keyed writes.
CREATE TABLE idempotency_keys (
    id              INTEGER PRIMARY KEY NOT NULL,
    -- Keys are scoped per agent and per endpoint (route template, e.g. `POST /tickets`).
    agent_id        BIGINT    NOT NULL REFERENCES agents (id),
    endpoint        TEXT      NOT NULL,
    idempotency_key TEXT      NOT NULL,
    -- Hex SHA-256 of the request: method, concrete path and canonical JSON body.
    request_hash    TEXT      NOT NULL,
    -- The response to replay.
    status          INTEGER   NOT NULL,
    body            TEXT      NOT NULL,
    location        TEXT,
    etag            TEXT,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (agent_id, endpoint, idempotency_key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
