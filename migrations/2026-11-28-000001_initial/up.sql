-- Groovoo Service Desk: initial schema.
-- Timestamps are UTC, stored as text 'YYYY-MM-DD HH:MM:SS.SSS' (diesel's Timestamp on SQLite).

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY NOT NULL,
    name          TEXT    NOT NULL,
    -- Stored lowercased by the application; NOCASE guards the unique index as well.
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    active        BOOLEAN NOT NULL DEFAULT 1,
    -- Bumped to invalidate every login token of the agent at once.
    token_version BIGINT  NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE channels (
    id         INTEGER PRIMARY KEY NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

INSERT INTO categories (slug, name) VALUES
    ('pagamento', 'Pagamento'),
    ('reembolso', 'Reembolso'),
    ('acesso-ao-evento', 'Acesso ao evento'),
    ('ingressos', 'Ingressos'),
    ('conta', 'Conta'),
    ('outros', 'Outros');

INSERT INTO channels (slug, name) VALUES
    ('e-mail', 'E-mail'),
    ('whatsapp', 'WhatsApp'),
    ('telefone', 'Telefone'),
    ('chat', 'Chat'),
    ('redes-sociais', 'Redes sociais');

-- AUTOINCREMENT: ticket numbers are shown to customers and must never be reused.
-- Ids grow with creation time, so "newest first" is "id descending" and pages are keyset on id.
CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    subject           TEXT    NOT NULL,
    customer_name     TEXT    NOT NULL,
    customer_contact  TEXT    NOT NULL,
    channel           TEXT    NOT NULL REFERENCES channels (slug),
    category          TEXT    NOT NULL REFERENCES categories (slug),
    description       TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'waiting', 'closed')),
    priority          TEXT    NOT NULL DEFAULT 'normal'
                      CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id       BIGINT  REFERENCES agents (id),
    created_by        BIGINT  NOT NULL REFERENCES agents (id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    closed_at         TIMESTAMP,
    version           BIGINT  NOT NULL DEFAULT 1,
    comment_count     BIGINT  NOT NULL DEFAULT 0,
    attachment_count  BIGINT  NOT NULL DEFAULT 0
);

-- Every index ends, implicitly, in the rowid: filtered "newest first" pages walk them in order.
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_category_status ON tickets (category, status);
CREATE INDEX tickets_channel ON tickets (channel);
CREATE INDEX tickets_priority ON tickets (priority);
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY NOT NULL,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id  BIGINT  NOT NULL REFERENCES agents (id),
    body       TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY NOT NULL,
    ticket_id    BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    -- Server-generated file name under <data dir>/uploads; never derived from user input.
    storage_name TEXT    NOT NULL UNIQUE,
    uploaded_by  BIGINT  NOT NULL REFERENCES agents (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

-- History of status and assignee changes. Values are text: a status, or an agent id.
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY NOT NULL,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id   BIGINT  NOT NULL REFERENCES agents (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('status_changed', 'assignee_changed')),
    from_value TEXT,
    to_value   TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- Denormalised counters, kept right by the database whatever writes the rows.
CREATE TRIGGER comments_count_ai AFTER INSERT ON comments BEGIN
    UPDATE tickets SET comment_count = comment_count + 1 WHERE id = new.ticket_id;
END;
CREATE TRIGGER comments_count_ad AFTER DELETE ON comments BEGIN
    UPDATE tickets SET comment_count = comment_count - 1 WHERE id = old.ticket_id;
END;
CREATE TRIGGER attachments_count_ai AFTER INSERT ON attachments BEGIN
    UPDATE tickets SET attachment_count = attachment_count + 1 WHERE id = new.ticket_id;
END;
CREATE TRIGGER attachments_count_ad AFTER DELETE ON attachments BEGIN
    UPDATE tickets SET attachment_count = attachment_count - 1 WHERE id = old.ticket_id;
END;

-- Full-text search: one document per ticket (its text fields and all its comments), accent- and
-- case-insensitive. Contentless (the text lives in tickets/comments only) with delete support.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject, customer_name, customer_contact, description, comments,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Comments written before their ticket (bulk loads, with deferred foreign keys) are indexed here.
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject, customer_name, customer_contact, description, comments)
    VALUES (new.id, new.subject, new.customer_name, new.customer_contact, new.description,
            (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = new.id));
END;

CREATE TRIGGER tickets_fts_au
AFTER UPDATE OF subject, customer_name, customer_contact, description ON tickets BEGIN
    INSERT OR REPLACE INTO tickets_fts
        (rowid, subject, customer_name, customer_contact, description, comments)
    VALUES (new.id, new.subject, new.customer_name, new.customer_contact, new.description,
            (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = new.id));
END;

CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
    DELETE FROM tickets_fts WHERE rowid = old.id;
END;

-- A comment re-indexes its ticket (a handful of comments per ticket: cheap).
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
    INSERT OR REPLACE INTO tickets_fts
        (rowid, subject, customer_name, customer_contact, description, comments)
    SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description,
           (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id)
    FROM tickets t WHERE t.id = new.ticket_id;
END;

CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
    INSERT OR REPLACE INTO tickets_fts
        (rowid, subject, customer_name, customer_contact, description, comments)
    SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description,
           (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id)
    FROM tickets t WHERE t.id = old.ticket_id;
END;

-- Ticket counts per category and status, kept by triggers: the dashboard counters and the
-- unfiltered totals read a handful of rows instead of counting a million.
CREATE TABLE ticket_stats (
    category TEXT   NOT NULL,
    status   TEXT   NOT NULL,
    tickets  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (category, status)
) WITHOUT ROWID;

CREATE TRIGGER ticket_stats_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_stats (category, status, tickets) VALUES (new.category, new.status, 1)
    ON CONFLICT (category, status) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER ticket_stats_ad AFTER DELETE ON tickets BEGIN
    UPDATE ticket_stats SET tickets = tickets - 1
    WHERE category = old.category AND status = old.status;
END;

CREATE TRIGGER ticket_stats_au AFTER UPDATE OF category, status ON tickets
WHEN old.category IS NOT new.category OR old.status IS NOT new.status BEGIN
    UPDATE ticket_stats SET tickets = tickets - 1
    WHERE category = old.category AND status = old.status;
    INSERT INTO ticket_stats (category, status, tickets) VALUES (new.category, new.status, 1)
    ON CONFLICT (category, status) DO UPDATE SET tickets = tickets + 1;
END;
