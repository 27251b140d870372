-- Queue counts that cost the same at any number of tickets: every ticket is counted in one
-- row of `queue_tally`, by the columns that decide which queues hold it and who sees it.
-- A trigger keeps the tally exact in the transaction of every write to `ticket`, whichever
-- code path makes it. A missing assignee is 0 (ids start at 1), so the key has no NULLs.
-- `slot` (the ticket id modulo 8) spreads concurrent writers over several rows, so that
-- transactions opening tickets in one department do not all wait for one row lock.
CREATE TABLE queue_tally (
    department_id  BIGINT NOT NULL,
    status         TEXT NOT NULL,
    is_answered    BOOLEAN NOT NULL,
    agent_id       BIGINT NOT NULL,
    team_id        BIGINT NOT NULL,
    slot           BIGINT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (department_id, status, is_answered, agent_id, team_id, slot)
);

INSERT INTO queue_tally (department_id, status, is_answered, agent_id, team_id, slot, n)
SELECT department_id, status, is_answered, COALESCE(assignee_agent_id, 0),
       COALESCE(assignee_team_id, 0), ticket_id % 8, COUNT(*)
FROM ticket
GROUP BY department_id, status, is_answered, COALESCE(assignee_agent_id, 0),
         COALESCE(assignee_team_id, 0), ticket_id % 8;

CREATE FUNCTION queue_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key queue_tally;
    new_key queue_tally;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_key := ROW(OLD.department_id, OLD.status, OLD.is_answered,
                       COALESCE(OLD.assignee_agent_id, 0), COALESCE(OLD.assignee_team_id, 0),
                       OLD.ticket_id % 8, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := ROW(NEW.department_id, NEW.status, NEW.is_answered,
                       COALESCE(NEW.assignee_agent_id, 0), COALESCE(NEW.assignee_team_id, 0),
                       NEW.ticket_id % 8, 1);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF (old_key.department_id, old_key.status, old_key.is_answered, old_key.agent_id,
            old_key.team_id) = (new_key.department_id, new_key.status, new_key.is_answered,
            new_key.agent_id, new_key.team_id) THEN
            RETURN NULL;
        END IF;
        -- Two rows change: take their locks in key order, so that two transactions moving
        -- tickets in opposite directions cannot deadlock.
        IF (old_key.department_id, old_key.status, old_key.is_answered, old_key.agent_id,
            old_key.team_id) > (new_key.department_id, new_key.status, new_key.is_answered,
            new_key.agent_id, new_key.team_id) THEN
            PERFORM queue_tally_add(new_key);
            PERFORM queue_tally_add(old_key);
            RETURN NULL;
        END IF;
    END IF;
    IF old_key.n IS NOT NULL THEN
        PERFORM queue_tally_add(old_key);
    END IF;
    IF new_key.n IS NOT NULL THEN
        PERFORM queue_tally_add(new_key);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION queue_tally_add(k queue_tally) RETURNS void LANGUAGE sql AS $$
    INSERT INTO queue_tally (department_id, status, is_answered, agent_id, team_id, slot, n)
    VALUES (k.department_id, k.status, k.is_answered, k.agent_id, k.team_id, k.slot, k.n)
    ON CONFLICT (department_id, status, is_answered, agent_id, team_id, slot)
    DO UPDATE SET n = queue_tally.n + EXCLUDED.n;
$$;

CREATE TRIGGER ticket_queue_tally
AFTER INSERT OR DELETE
   OR UPDATE OF department_id, status, is_answered, assignee_agent_id, assignee_team_id
ON ticket FOR EACH ROW EXECUTE FUNCTION queue_tally_change();

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
