-- A queued mail's message lives apart from the row that the worker's claim and its outcome
-- update. SQLite writes a whole row again on every update, and a message of a few KB made
-- each claim and each "sent" rewrite a page or more per mail: at 2,000 new tickets a
-- second, a fifth of every commit's pages. The message is written once and only read.
CREATE TABLE outbox_mail_raw (
    outbox_mail_id INTEGER PRIMARY KEY
        REFERENCES outbox_mail (outbox_mail_id) ON DELETE CASCADE,
    raw            BLOB NOT NULL
);
INSERT INTO outbox_mail_raw (outbox_mail_id, raw) SELECT outbox_mail_id, raw FROM outbox_mail;
ALTER TABLE outbox_mail DROP COLUMN raw;
