-- Queue pages sorted by priority or due date read these in order and stop after a page
-- instead of sorting every ticket of the queue. `ticket_id` completes the keyset cursor.
-- The due expression must be written exactly as the queue query writes it, or the index
-- does not serve it. Sorting by number uses the unique index on `number`.
CREATE INDEX ticket_priority_sort_idx ON ticket (priority_rank, ticket_id);
-- `status` lets the Closed queue skip the tickets with a due date, nearly all open, in the
-- index instead of looking up each in the table.
CREATE INDEX ticket_due_sort_idx
    ON ticket (COALESCE(due_at, 9223372036854775807), ticket_id, status);
