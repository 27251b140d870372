-- The words that name a ticket (its number, subject and requester: its "head") once more,
-- on their own, so that a search can rank the tickets named by the words it looks for
-- above those that only mention them in the thread, by a second match restricted to the
-- window's rowids instead of bm25() (whose IDF reads the whole doclist of every term).
-- A table of its own rather than a second column of ticket_search: a contentless index
-- cannot be rebuilt from itself, and the heads of existing tickets are filled at start
-- from the ticket table in batches, while search keeps working. No positions are needed.
CREATE VIRTUAL TABLE ticket_search_head USING fts5 (
    doc,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 0'
);
