-- The search index is written once per group commit instead of once per write.
--
-- FTS5 flushes its in-memory terms to a new index segment at every savepoint, and every
-- statement of a write opens one (a statement journal), so with the triggers of the initial
-- migration each write left a one-ticket segment (with its ten prefix indexes) behind and paid
-- for the incremental merges that follow: at a million tickets the writer thread spent most of
-- its time in fts5IndexMergeLevel (perf), and POST /tickets fell from 2,841/s to 514/s.
--
-- Now a change to a ticket's searchable text notes the ticket in `search_pending`, and a trigger
-- on that table indexes the ticket and drops the note, unless `search_deferral.active` is set.
-- The writer thread (api/src/db/writer.rs) sets it when it begins a batch's transaction, so its
-- writes only leave notes (inside each write's savepoint: a failing write takes its notes back);
-- just before COMMIT it clears the flag and re-inserts the notes in one statement
-- (api/src/db/search.rs, `index_pending`), which indexes them all: one segment per batch, in
-- the same transaction, so an acknowledged write is searchable as soon as it is durable. The
-- flag is set and cleared inside that one write transaction: every other connection
-- (migrations, the seed, tests, a sqlite3 shell) only ever sees it clear and indexes at once.
--
-- Deleting a ticket still removes its document at once (rare, and a ticket noted for
-- re-indexing that is gone by COMMIT is simply skipped).

CREATE TABLE search_deferral (
    id     INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    active BOOLEAN NOT NULL DEFAULT 0
);
INSERT INTO search_deferral (id, active) VALUES (1, 0);

-- Tickets whose search document is rebuilt before the current transaction commits.
CREATE TABLE search_pending (
    ticket_id INTEGER PRIMARY KEY NOT NULL
);

DROP TRIGGER tickets_fts_ai;
DROP TRIGGER tickets_fts_au;
DROP TRIGGER comments_fts_ai;
DROP TRIGGER comments_fts_ad;

-- OR REPLACE, not OR IGNORE: a trigger's statements take the conflict policy of the statement
-- that fired them, and the document below must be inserted OR REPLACE (FTS5 cannot tell that
-- a contentless row exists; OR IGNORE would add the new words and keep the old ones).
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT OR REPLACE INTO search_pending (ticket_id) VALUES (new.id);
END;

CREATE TRIGGER tickets_fts_au
AFTER UPDATE OF subject, customer_name, customer_contact, description ON tickets BEGIN
    INSERT OR REPLACE INTO search_pending (ticket_id) VALUES (new.id);
END;

CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
    INSERT OR REPLACE INTO search_pending (ticket_id) VALUES (new.ticket_id);
END;

CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
    INSERT OR REPLACE INTO search_pending (ticket_id) VALUES (old.ticket_id);
END;

-- The one place a ticket's search document is built: its text fields and all its comments.
-- A note for a ticket that does not exist (a comment loaded before its ticket, a ticket deleted
-- since) indexes nothing; the ticket's own insert notes it again.
CREATE TRIGGER search_pending_ai AFTER INSERT ON search_pending
WHEN NOT (SELECT active FROM search_deferral) BEGIN
    INSERT OR REPLACE INTO tickets_fts
        (rowid, subject, customer_name, customer_contact, description, comments)
    SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description,
           (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id)
    FROM tickets t WHERE t.id = new.ticket_id;
    DELETE FROM search_pending WHERE ticket_id = new.ticket_id;
END;
