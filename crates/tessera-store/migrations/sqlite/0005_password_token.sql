-- Links that let an invited agent (or one whose password was reset) choose a password.
CREATE TABLE password_token (
    password_token_id  INTEGER PRIMARY KEY,
    agent_id           INTEGER NOT NULL REFERENCES agent (agent_id),
    selector           TEXT NOT NULL,
    verifier_hash      TEXT NOT NULL,
    expires_at         INTEGER NOT NULL,
    used_at            INTEGER,
    created_at         INTEGER NOT NULL,
    CONSTRAINT password_token_selector_unique UNIQUE (selector)
);
CREATE INDEX password_token_agent_idx ON password_token (agent_id);
