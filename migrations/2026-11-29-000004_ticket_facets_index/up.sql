-- The filterable fields of every ticket, in id order: a text search joins its index matches to
-- tickets by id only to read these, and reading them here touches one page per ~100 tickets
-- instead of one per ticket (a count reads up to 2,000 matches; with a 4 MB page cache per read
-- connection the table's pages did not stay cached, and the join cost 2.5 ms instead of 1 ms).
-- search.rs names it with INDEXED BY: SQLite would otherwise take the rowid lookup.
CREATE INDEX tickets_facets ON tickets (id, status, priority, category, channel, assignee_id);
