-- No mail loops (issue 22). Mail that opened or joined a ticket, counted per clock hour
-- (hours since the epoch, UTC) for each scope it falls in: `ticket:ID` and `address:KEY`.
-- Past the configured cap a message is still stored but causes no mail, and the one that
-- crosses it alerts the administrators. Counted here, not in memory, because several nodes
-- may take mail at once; rows of past hours are cleared as new ones are counted.
CREATE TABLE mail_in_tally (
    scope      TEXT NOT NULL,
    hour       BIGINT NOT NULL,
    count      BIGINT NOT NULL,
    CONSTRAINT mail_in_tally_pkey PRIMARY KEY (scope, hour)
);

-- Why an entry that came by mail was taken for automatic mail (a stored reason: an
-- auto-reply, or past the hourly cap); shown to agents as a label. NULL: a person's.
ALTER TABLE thread_entry ADD COLUMN automatic TEXT;
