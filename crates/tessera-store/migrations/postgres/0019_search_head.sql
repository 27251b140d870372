-- The words that name a ticket (its number, subject and requester: its "head") once more,
-- on their own, so that a search can rank the tickets named by the words it looks for
-- above those that only mention them in the thread. Only tested row by row for the
-- tickets of a search window, so without an index of its own; filled for existing
-- tickets at start from the ticket table in batches.
CREATE TABLE ticket_search_head (
    ticket_id  BIGINT PRIMARY KEY REFERENCES ticket (ticket_id),
    doc        TSVECTOR NOT NULL
);
