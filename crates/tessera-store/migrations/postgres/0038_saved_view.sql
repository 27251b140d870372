-- Saved views (issue 23): an agent's named queue with its filters and order, kept as the
-- queue's name and the query string its page was shown with. An administrator may share a
-- view with every agent; only its owner deletes it. Listed per agent, own and shared by name.
CREATE TABLE saved_view (
    saved_view_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id       BIGINT NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    queue          TEXT NOT NULL,
    query          TEXT NOT NULL,
    is_shared      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX saved_view_agent ON saved_view (agent_id, name);
CREATE INDEX saved_view_shared ON saved_view (name) WHERE is_shared;
