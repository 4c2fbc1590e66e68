DROP TRIGGER search_pending_ai;
DROP TRIGGER tickets_fts_ai;
DROP TRIGGER tickets_fts_au;
DROP TRIGGER comments_fts_ai;
DROP TRIGGER comments_fts_ad;

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

DROP TABLE search_pending;
DROP TABLE search_deferral;
