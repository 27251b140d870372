-- A queued mail's message lives apart from the row that the worker's claim and its outcome
-- update (the same schema as on SQLite, where every update writes the whole row again).
CREATE TABLE outbox_mail_raw (
    outbox_mail_id BIGINT PRIMARY KEY
        REFERENCES outbox_mail (outbox_mail_id) ON DELETE CASCADE,
    raw            BYTEA NOT NULL
);
INSERT INTO outbox_mail_raw (outbox_mail_id, raw) SELECT outbox_mail_id, raw FROM outbox_mail;
ALTER TABLE outbox_mail DROP COLUMN raw;
