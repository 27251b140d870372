-- Queue counts that cost the same at any number of tickets: every ticket is counted in one
-- row of `queue_tally`, by the columns that decide which queues hold it and who sees it.
-- Triggers keep the tally exact in the transaction of every write to `ticket`, whichever
-- code path makes it. A missing assignee is 0 (ids start at 1), so the key has no NULLs.
-- `slot` spreads concurrent writers over several rows on PostgreSQL; SQLite has one writer
-- and uses slot 0 only.
CREATE TABLE queue_tally (
    department_id  INTEGER NOT NULL,
    status         TEXT NOT NULL,
    is_answered    BOOLEAN NOT NULL,
    agent_id       INTEGER NOT NULL,
    team_id        INTEGER NOT NULL,
    slot           INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (department_id, status, is_answered, agent_id, team_id, slot)
);

INSERT INTO queue_tally (department_id, status, is_answered, agent_id, team_id, slot, n)
SELECT department_id, status, is_answered, COALESCE(assignee_agent_id, 0),
       COALESCE(assignee_team_id, 0), 0, COUNT(*)
FROM ticket
GROUP BY department_id, status, is_answered, COALESCE(assignee_agent_id, 0),
         COALESCE(assignee_team_id, 0);

CREATE TRIGGER ticket_tally_insert AFTER INSERT ON ticket
BEGIN
    INSERT INTO queue_tally (department_id, status, is_answered, agent_id, team_id, slot, n)
    VALUES (NEW.department_id, NEW.status, NEW.is_answered, COALESCE(NEW.assignee_agent_id, 0),
            COALESCE(NEW.assignee_team_id, 0), 0, 1)
    ON CONFLICT (department_id, status, is_answered, agent_id, team_id, slot)
    DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_tally_update
AFTER UPDATE OF department_id, status, is_answered, assignee_agent_id, assignee_team_id ON ticket
WHEN OLD.department_id IS NOT NEW.department_id OR OLD.status IS NOT NEW.status
  OR OLD.is_answered IS NOT NEW.is_answered
  OR OLD.assignee_agent_id IS NOT NEW.assignee_agent_id
  OR OLD.assignee_team_id IS NOT NEW.assignee_team_id
BEGIN
    UPDATE queue_tally SET n = n - 1
    WHERE department_id = OLD.department_id AND status = OLD.status
      AND is_answered = OLD.is_answered AND agent_id = COALESCE(OLD.assignee_agent_id, 0)
      AND team_id = COALESCE(OLD.assignee_team_id, 0) AND slot = 0;
    INSERT INTO queue_tally (department_id, status, is_answered, agent_id, team_id, slot, n)
    VALUES (NEW.department_id, NEW.status, NEW.is_answered, COALESCE(NEW.assignee_agent_id, 0),
            COALESCE(NEW.assignee_team_id, 0), 0, 1)
    ON CONFLICT (department_id, status, is_answered, agent_id, team_id, slot)
    DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_tally_delete AFTER DELETE ON ticket
BEGIN
    UPDATE queue_tally SET n = n - 1
    WHERE department_id = OLD.department_id AND status = OLD.status
      AND is_answered = OLD.is_answered AND agent_id = COALESCE(OLD.assignee_agent_id, 0)
      AND team_id = COALESCE(OLD.assignee_team_id, 0) AND slot = 0;
END;

-- Overdue depends on the clock, so it cannot be tallied. This index holds only open tickets
-- with a due date, a small part of all, with every column the count and visibility need, so
-- the count reads it alone; in activity order it also gives the Overdue page without a sort.
-- (`status` is a column too: SQLite counts a partial index as covering only if it holds the
-- columns of its own condition.) It replaces `(status, due_at)`, which SQLite preferred
-- though it is neither covering nor ordered; the overdue alerts read this one instead.
DROP INDEX ticket_due_idx;
CREATE INDEX ticket_overdue_idx ON ticket
    (status, updated_at, ticket_id, due_at, department_id, assignee_agent_id, assignee_team_id)
    WHERE status = 'open' AND due_at IS NOT NULL;

-- A department agent's queue page reads each of their departments, their own tickets and
-- their teams' tickets as separate index-ordered branches; these serve the queues without
-- a single status (Closed, All) in activity order.
CREATE INDEX ticket_department_updated_idx ON ticket (department_id, updated_at, ticket_id);
CREATE INDEX ticket_agent_updated_idx ON ticket (assignee_agent_id, updated_at, ticket_id);
CREATE INDEX ticket_team_updated_idx ON ticket (assignee_team_id, updated_at, ticket_id);
