-- Email in. Every incoming message is kept raw, committed before anything else happens to
-- it, so that a crash at any moment loses nothing; the unique constraints make ingestion
-- idempotent (the same bytes by two paths, or the same IMAP message fetched twice).
-- NULLs are distinct in a UNIQUE constraint on both backends, so piped messages (no
-- mailbox) are deduplicated by their hash alone.
CREATE TABLE inbound_message (
    inbound_message_id  INTEGER PRIMARY KEY,
    source              TEXT NOT NULL,
    mailbox             TEXT,
    uid_validity        INTEGER,
    uid                 INTEGER,
    sha256              TEXT NOT NULL,
    message_id          TEXT,
    raw                 BLOB NOT NULL,
    status              TEXT NOT NULL,
    ticket_id           INTEGER REFERENCES ticket (ticket_id),
    thread_entry_id     INTEGER REFERENCES thread_entry (thread_entry_id),
    error               TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CONSTRAINT inbound_message_sha256_unique UNIQUE (sha256),
    CONSTRAINT inbound_message_uid_unique UNIQUE (mailbox, uid_validity, uid),
    CONSTRAINT inbound_message_source_check CHECK (source IN ('pipe', 'imap', 'api')),
    CONSTRAINT inbound_message_status_check
        CHECK (status IN ('stored', 'done', 'quarantined', 'ignored'))
);
-- The quarantine view and the resumption of interrupted messages ask by status.
CREATE INDEX inbound_message_status_idx ON inbound_message (status, inbound_message_id);
-- The same mail piped once per Tessera address it was sent to differs in its trace headers
-- (Delivered-To, Received), not in its Message-ID: a second copy is known by that.
CREATE INDEX inbound_message_message_id_idx ON inbound_message (message_id);

-- Automatic replies per sender and day (days since the epoch, UTC), to cap them.
CREATE TABLE auto_reply_count (
    email_key  TEXT NOT NULL,
    day        INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    CONSTRAINT auto_reply_count_pkey PRIMARY KEY (email_key, day)
);

-- An entry that came by mail keeps what the thread folds away (quoted original and
-- signature) and the HTML body as sent. `original_html` is NOT sanitised: it must go
-- through the allowlist sanitiser before it is shown.
ALTER TABLE thread_entry ADD COLUMN quoted TEXT;
ALTER TABLE thread_entry ADD COLUMN original_html TEXT;
-- Inline images are referenced from the HTML as `cid:`.
ALTER TABLE attachment ADD COLUMN content_id TEXT;
