-- The agents' notification centre (issue 23). A notification is written in the transaction
-- of the change that causes it (assigned to the agent or their team, a new message on a
-- ticket assigned to them, a mention, a new ticket in their department); `read_at` NULL
-- is unread. Pages are read newest first by key (`agent_id`, `notification_id`).
CREATE TABLE notification (
    notification_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id        BIGINT NOT NULL REFERENCES agent (agent_id),
    ticket_id       BIGINT NOT NULL REFERENCES ticket (ticket_id),
    kind            TEXT NOT NULL,
    actor           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT
);
CREATE INDEX notification_agent ON notification (agent_id, notification_id);
CREATE INDEX notification_unread ON notification (agent_id) WHERE read_at IS NULL;

-- How an agent wants to hear of each kind of event: `mail`, `app`, `both` or `off`.
-- No row: the kind's default (core's `notice.rs`).
CREATE TABLE notification_choice (
    agent_id   BIGINT NOT NULL REFERENCES agent (agent_id),
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT notification_choice_pkey PRIMARY KEY (agent_id, kind)
);
