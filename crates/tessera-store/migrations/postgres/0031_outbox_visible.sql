-- Mail that did not go out is visible (issue 22). `kind` says what a mail is for, so that a
-- confirmation or a reply that fails for good raises an alert (and an alert that fails
-- raises none: no loop). `failing_since` is when the current run of failed attempts began
-- ("retrying since …"); a success or "retry now" clears it. Ticket and outbox pages read
-- a ticket's mail and pages of the whole outbox newest first.
ALTER TABLE outbox_mail ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
ALTER TABLE outbox_mail ADD COLUMN failing_since BIGINT;
CREATE INDEX outbox_mail_ticket_idx ON outbox_mail (ticket_id, outbox_mail_id);
CREATE INDEX outbox_mail_status_idx ON outbox_mail (status, outbox_mail_id);
