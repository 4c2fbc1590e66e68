-- Full-text search that stays fast at a million tickets.
--
-- detail=none: the index keeps which tickets hold a word, not where (searches are words, never
-- phrases), which makes it about a third smaller.
-- prefix='2 ... 10': a prefix index per length, so a partial word ("conc") reads one list, lazily
-- and newest first, instead of merging the lists of every word it starts; with these, a page of
-- results reads about as many index entries as it shows. db/search.rs matches words of these
-- lengths as prefixes (keep the two in step).
--
-- The triggers of the initial migration name the table, so they keep working once it is
-- rebuilt under the same name.
DROP TABLE tickets_fts;

CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject, customer_name, customer_contact, description, comments,
    content = '',
    contentless_delete = 1,
    detail = none,
    prefix = '2 3 4 5 6 7 8 9 10',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO tickets_fts (rowid, subject, customer_name, customer_contact, description, comments)
SELECT t.id, t.subject, t.customer_name, t.customer_contact, t.description,
       (SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE ticket_id = t.id)
FROM tickets t;
