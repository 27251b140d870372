-- Agents at work: memberships, read markers, presence, alerts and queue indexes.

CREATE TABLE agent_department (
    agent_id       INTEGER NOT NULL REFERENCES agent (agent_id),
    department_id  INTEGER NOT NULL REFERENCES department (department_id),
    role           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (agent_id, department_id)
);
CREATE INDEX agent_department_department_idx ON agent_department (department_id);

CREATE TABLE team_member (
    team_id     INTEGER NOT NULL REFERENCES team (team_id),
    agent_id    INTEGER NOT NULL REFERENCES agent (agent_id),
    is_lead     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_member_agent_idx ON team_member (agent_id);

-- When an agent last looked at a ticket (for the "new activity" marker).
CREATE TABLE ticket_seen (
    agent_id   INTEGER NOT NULL REFERENCES agent (agent_id),
    ticket_id  INTEGER NOT NULL REFERENCES ticket (ticket_id),
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);

-- Who has a ticket open right now (collision warning).
CREATE TABLE ticket_viewer (
    ticket_id     INTEGER NOT NULL REFERENCES ticket (ticket_id),
    agent_id      INTEGER NOT NULL REFERENCES agent (agent_id),
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);

ALTER TABLE department ADD COLUMN alert_new_ticket BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE ticket ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 2;
ALTER TABLE ticket ADD COLUMN overdue_alerted_at INTEGER;
ALTER TABLE agent ADD COLUMN last_login_at INTEGER;

CREATE INDEX ticket_assignee_agent_idx ON ticket (assignee_agent_id, status, updated_at);
CREATE INDEX ticket_assignee_team_idx ON ticket (assignee_team_id, status, updated_at);
CREATE INDEX ticket_updated_idx ON ticket (updated_at, ticket_id);
CREATE INDEX ticket_due_idx ON ticket (status, due_at);
