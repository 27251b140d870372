-- Keys for programs: osTicket-style ticket creation and the REST API. A key is a split
-- token like a session: `selector` finds the row, only the SHA-256 of the secret half is
-- kept. Read and write keys act as `agent_id` and see exactly what that agent sees.
-- `allowed_ips` holds address ranges separated by commas ('' = anywhere).
CREATE TABLE api_key (
    api_key_id       INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    selector         TEXT NOT NULL UNIQUE,
    verifier_hash    TEXT NOT NULL,
    scope            TEXT NOT NULL,
    agent_id         INTEGER REFERENCES agent (agent_id),
    allowed_ips      TEXT NOT NULL DEFAULT '',
    rate_per_minute  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    revoked_at       INTEGER,
    last_used_at     INTEGER,
    last_used_ip     TEXT,
    CONSTRAINT api_key_scope_check CHECK (scope IN ('create', 'read', 'write')),
    CONSTRAINT api_key_agent_check CHECK (scope = 'create' OR agent_id IS NOT NULL)
);
