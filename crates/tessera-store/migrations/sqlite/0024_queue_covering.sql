-- The indexes an agent's queue branches read (one per department, their own tickets, one
-- per team) carry `is_answered`, so that the Open and Answered queues tell their tickets
-- apart in the index: without it each ticket read had to be looked up in the table, a
-- third of them only to be skipped as answered.
DROP INDEX ticket_queue_idx;
CREATE INDEX ticket_queue_idx ON ticket (status, department_id, updated_at, ticket_id, is_answered);
DROP INDEX ticket_assignee_agent_idx;
CREATE INDEX ticket_assignee_agent_idx
    ON ticket (assignee_agent_id, status, updated_at, ticket_id, is_answered);
DROP INDEX ticket_assignee_team_idx;
CREATE INDEX ticket_assignee_team_idx
    ON ticket (assignee_team_id, status, updated_at, ticket_id, is_answered);
-- Statistics for the new indexes, which the planner otherwise guesses at (and then walks
-- every open ticket for a team's page). Cheap: one pass over each index.
ANALYZE ticket_queue_idx;
ANALYZE ticket_assignee_agent_idx;
ANALYZE ticket_assignee_team_idx;
