DROP TABLE tickets_fts;
DROP TABLE ticket_events;
DROP TABLE attachments;
DROP TABLE comments;
DROP TABLE tickets;
DROP TABLE channels;
DROP TABLE categories;
DROP TABLE agents;
