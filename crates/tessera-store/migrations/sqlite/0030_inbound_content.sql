-- What a message says (sender, Date, subject, text, HTML, attachments), hashed: the same
-- mail delivered twice with other trace headers is one message, with or without a
-- Message-ID, and a re-sent version (the same Message-ID, another text) is told apart from
-- a copy. Unique among messages acted on, so that two deliveries racing each other cannot
-- both open a ticket: the later one fails, is delivered again and is then a duplicate.
ALTER TABLE inbound_message ADD COLUMN content_sha256 TEXT;
CREATE UNIQUE INDEX inbound_message_content_unique ON inbound_message (content_sha256)
    WHERE status = 'done';
