-- IMAP mailboxes that Tessera polls, one or more per department. The password is stored as
-- given (the server needs it in clear) and never shown again. `uid_validity`/`last_uid`
-- say how far the folder has been read; `poll_lease_until` lets one node at a time poll a
-- mailbox (a conditional update claims it, an expired lease frees it).
CREATE TABLE mailbox (
    mailbox_id        INTEGER PRIMARY KEY,
    department_id     INTEGER NOT NULL REFERENCES department (department_id),
    host              TEXT NOT NULL,
    port              INTEGER NOT NULL,
    tls               TEXT NOT NULL,
    username          TEXT NOT NULL,
    password          TEXT NOT NULL,
    folder            TEXT NOT NULL DEFAULT 'INBOX',
    help_topic_id     INTEGER REFERENCES help_topic (help_topic_id),
    after_import      TEXT NOT NULL DEFAULT 'seen',
    archive_folder    TEXT,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    uid_validity      INTEGER,
    last_uid          INTEGER,
    last_polled_at    INTEGER,
    poll_lease_until  INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT mailbox_account_unique UNIQUE (host, port, username, folder),
    CONSTRAINT mailbox_tls_check CHECK (tls IN ('tls', 'starttls', 'none')),
    CONSTRAINT mailbox_after_import_check CHECK (
        after_import IN ('seen', 'delete')
        OR (after_import = 'move' AND archive_folder IS NOT NULL))
);
