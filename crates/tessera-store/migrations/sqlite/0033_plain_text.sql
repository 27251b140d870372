-- Plain text shown as plain text (issue 22). Until now every entry was stored as Markdown;
-- what did not come from Tessera's own forms becomes `text` (escaped, line breaks kept,
-- only web and mail addresses made links). These entries can be told apart reliably:
-- * every entry an inbound message names: `inbound_message.thread_entry_id` is set in the
--   transaction that writes the entry, for a message that opened a ticket, one added to a
--   ticket and an agent's reply or note by mail, and for nothing else;
-- * every entry that keeps HTML as sent (`original_html`, from mail or an API's HTML
--   message): its body is text drawn from that HTML, not Markdown anybody typed;
-- * the first message of a ticket opened through an API (`source = 'api'`): the program's
--   text (osTicket's `text/plain` message, the REST API's documented plain `message`).
-- Messages typed into the portal, agents' replies and notes in the agent area or through
-- the REST API (documented as Markdown) and events stay as they are.
UPDATE thread_entry SET body_format = 'text'
WHERE body_format = 'markdown'
  AND kind <> 'event'
  AND (thread_entry_id IN (SELECT im.thread_entry_id FROM inbound_message im
                           WHERE im.thread_entry_id IS NOT NULL)
       OR original_html IS NOT NULL
       OR thread_entry_id IN (SELECT MIN(e.thread_entry_id)
                              FROM thread_entry e
                              JOIN ticket t ON t.ticket_id = e.ticket_id
                              WHERE t.source = 'api' AND e.kind = 'message'
                              GROUP BY e.ticket_id));
