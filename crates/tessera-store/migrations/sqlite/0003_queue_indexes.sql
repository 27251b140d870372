-- Indexes that let the queues read their first rows and their counts from an index alone.
CREATE INDEX ticket_state_idx ON ticket (status, is_answered, updated_at, ticket_id);
CREATE INDEX ticket_unassigned_idx ON ticket (status, assignee_agent_id, assignee_team_id);
