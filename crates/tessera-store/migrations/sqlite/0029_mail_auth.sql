-- Mail authenticity (issue 21). A message from a participant's address that failed DKIM,
-- SPF and DMARC keeps why (`auth_warning`, a stored reason shown to agents). Held
-- (`held`): on the ticket for agents only — the requester does not see it, no webhook,
-- no status change — until an agent accepts it. A message that opened a separate ticket
-- instead carries only the warning.
ALTER TABLE thread_entry ADD COLUMN auth_warning TEXT;
ALTER TABLE thread_entry ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
