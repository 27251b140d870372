-- The thread view marks entries that came by mail: it asks, per entry, whether an inbound
-- message names it. (Numbered 0013: 0012 is taken by the IMAP mailboxes on their branch.)
CREATE INDEX inbound_message_entry_idx ON inbound_message (thread_entry_id);
