-- What a help topic gives its new tickets: a priority, and optionally an assignee.
ALTER TABLE help_topic ADD COLUMN default_priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE help_topic ADD COLUMN auto_agent_id BIGINT REFERENCES agent (agent_id);
ALTER TABLE help_topic ADD COLUMN auto_team_id BIGINT REFERENCES team (team_id);
