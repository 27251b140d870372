-- Tessera's foundation: departments, topics, people, tickets, threads, attachments,
-- access tokens, sessions and the mail outbox. Timestamps are microseconds since the epoch.

CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE department (
    department_id  INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT department_name_unique UNIQUE (name)
);

CREATE TABLE team (
    team_id     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT team_name_unique UNIQUE (name)
);

CREATE TABLE agent (
    agent_id       INTEGER PRIMARY KEY,
    username       TEXT NOT NULL,
    email          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    lang           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT agent_username_unique UNIQUE (username),
    CONSTRAINT agent_email_unique UNIQUE (email)
);

CREATE TABLE help_topic (
    help_topic_id  INTEGER PRIMARY KEY,
    name_de        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES department (department_id),
    is_public      BOOLEAN NOT NULL DEFAULT TRUE,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order     INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Requesters and collaborators: anyone known by an email address.
CREATE TABLE contact (
    contact_id  INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,
    name        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT contact_email_unique UNIQUE (email_key)
);

CREATE TABLE ticket (
    ticket_id          INTEGER PRIMARY KEY,
    number             TEXT NOT NULL,
    subject            TEXT NOT NULL,
    status             TEXT NOT NULL,
    priority           TEXT NOT NULL,
    source             TEXT NOT NULL,
    help_topic_id      INTEGER REFERENCES help_topic (help_topic_id),
    department_id      INTEGER NOT NULL REFERENCES department (department_id),
    requester_id       INTEGER NOT NULL REFERENCES contact (contact_id),
    assignee_agent_id  INTEGER REFERENCES agent (agent_id),
    assignee_team_id   INTEGER REFERENCES team (team_id),
    is_answered        BOOLEAN NOT NULL DEFAULT FALSE,
    due_at             INTEGER,
    closed_at          INTEGER,
    last_message_at    INTEGER NOT NULL,
    last_response_at   INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    CONSTRAINT ticket_number_unique UNIQUE (number)
);
CREATE INDEX ticket_requester_idx ON ticket (requester_id, created_at);
CREATE INDEX ticket_queue_idx ON ticket (status, department_id, updated_at, ticket_id);

CREATE TABLE ticket_collaborator (
    ticket_id   INTEGER NOT NULL REFERENCES ticket (ticket_id),
    contact_id  INTEGER NOT NULL REFERENCES contact (contact_id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, contact_id)
);

CREATE TABLE thread_entry (
    thread_entry_id    INTEGER PRIMARY KEY,
    ticket_id          INTEGER NOT NULL REFERENCES ticket (ticket_id),
    kind               TEXT NOT NULL,
    author_contact_id  INTEGER REFERENCES contact (contact_id),
    author_agent_id    INTEGER REFERENCES agent (agent_id),
    body               TEXT NOT NULL,
    body_format        TEXT NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE INDEX thread_entry_ticket_idx ON thread_entry (ticket_id, thread_entry_id);

CREATE TABLE attachment (
    attachment_id    INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES ticket (ticket_id),
    thread_entry_id  INTEGER NOT NULL REFERENCES thread_entry (thread_entry_id),
    blob_key         TEXT NOT NULL,
    filename         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX attachment_ticket_idx ON attachment (ticket_id, thread_entry_id);

-- Split tokens: the selector finds the row, the verifier's SHA-256 is compared in constant
-- time, so the database never holds a usable token.
CREATE TABLE access_token (
    access_token_id  INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES ticket (ticket_id),
    contact_id       INTEGER NOT NULL REFERENCES contact (contact_id),
    selector         TEXT NOT NULL,
    verifier_hash    TEXT NOT NULL,
    last_used_at     INTEGER,
    revoked_at       INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT access_token_selector_unique UNIQUE (selector)
);
CREATE INDEX access_token_ticket_idx ON access_token (ticket_id, contact_id);

CREATE TABLE session (
    session_id    INTEGER PRIMARY KEY,
    selector      TEXT NOT NULL,
    verifier_hash TEXT NOT NULL,
    agent_id      INTEGER REFERENCES agent (agent_id),
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    CONSTRAINT session_selector_unique UNIQUE (selector)
);
CREATE INDEX session_expires_idx ON session (expires_at);

-- Which tickets a requester's browser session may see, and as whom.
CREATE TABLE session_grant (
    session_id  INTEGER NOT NULL REFERENCES session (session_id) ON DELETE CASCADE,
    ticket_id   INTEGER NOT NULL REFERENCES ticket (ticket_id),
    contact_id  INTEGER NOT NULL REFERENCES contact (contact_id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, ticket_id)
);

CREATE TABLE outbox_mail (
    outbox_mail_id   INTEGER PRIMARY KEY,
    ticket_id        INTEGER REFERENCES ticket (ticket_id),
    message_id       TEXT NOT NULL,
    envelope_from    TEXT NOT NULL,
    recipients       TEXT NOT NULL,
    raw              BLOB NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    sent_at          INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT outbox_mail_message_id_unique UNIQUE (message_id)
);
CREATE INDEX outbox_mail_due_idx ON outbox_mail (status, next_attempt_at);
