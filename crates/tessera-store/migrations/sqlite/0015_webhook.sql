-- Webhooks: URLs administrators register for ticket events. `events` is a bit mask
-- (`WebhookEvent::bit`), so "who wants this event" is one comparison. `secret` signs the
-- deliveries (HMAC-SHA256) and must be readable to do so: it is stored as generated.
CREATE TABLE webhook (
    webhook_id       INTEGER PRIMARY KEY,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    events           INTEGER NOT NULL,
    secret           TEXT NOT NULL,
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    allow_private    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_active_idx ON webhook (is_active);

-- One event for one webhook, written in the same transaction as the change; the payload is
-- the JSON body as built then. Claimed by the delivery worker with a lease
-- (`next_attempt_at` pushed forward), like `outbox_mail`.
CREATE TABLE webhook_delivery (
    webhook_delivery_id INTEGER PRIMARY KEY,
    webhook_id       INTEGER NOT NULL REFERENCES webhook (webhook_id),
    uuid             TEXT NOT NULL,
    event            TEXT NOT NULL,
    ticket_id        INTEGER REFERENCES ticket (ticket_id),
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    delivered_at     INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT webhook_delivery_uuid_unique UNIQUE (uuid),
    CONSTRAINT webhook_delivery_status_check CHECK (status IN ('pending', 'delivered', 'failed'))
);
CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (status, next_attempt_at);
CREATE INDEX webhook_delivery_log_idx ON webhook_delivery (webhook_id, webhook_delivery_id);

-- Every attempt: the HTTP status or the error, and how long it took.
CREATE TABLE webhook_attempt (
    webhook_attempt_id  INTEGER PRIMARY KEY,
    webhook_delivery_id INTEGER NOT NULL REFERENCES webhook_delivery (webhook_delivery_id),
    attempted_at     INTEGER NOT NULL,
    status_code      INTEGER,
    error            TEXT,
    duration_ms      INTEGER NOT NULL
);
CREATE INDEX webhook_attempt_delivery_idx ON webhook_attempt (webhook_delivery_id, webhook_attempt_id);
