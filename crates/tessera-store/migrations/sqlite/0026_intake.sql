-- Intake that cannot be abused (issue 21). The daily attachment quota per requester reads
-- a requester's recent messages; a ticket opened in "confirm your address first" mode
-- waits, unconfirmed, until its access link is opened.
CREATE INDEX thread_entry_author_idx ON thread_entry (author_contact_id, created_at);
ALTER TABLE ticket ADD COLUMN unconfirmed BOOLEAN NOT NULL DEFAULT FALSE;
