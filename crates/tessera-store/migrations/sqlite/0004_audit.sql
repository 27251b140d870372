-- Who did what, when: administrative changes and every sign-in attempt.
CREATE TABLE audit_log (
    audit_log_id    INTEGER PRIMARY KEY,
    actor_agent_id  INTEGER REFERENCES agent (agent_id),
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    target          TEXT NOT NULL,
    before_value    TEXT,
    after_value     TEXT,
    ip              TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX audit_log_action_idx ON audit_log (action, audit_log_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, audit_log_id);
