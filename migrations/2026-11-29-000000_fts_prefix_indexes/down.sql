DROP TABLE tickets_fts;

CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject, customer_name, customer_contact, description, comments,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO tickets_fts (rowid, subject, customer_name, customer_contact, description, comments)
SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description,
       (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id)
FROM tickets t;
