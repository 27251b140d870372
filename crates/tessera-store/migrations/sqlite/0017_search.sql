-- The full-text index of tickets: one document per ticket (rowid = ticket_id) holding the
-- German and English stems of its number, subject, requester, thread (notes included:
-- only agents search here), attachment names and custom-field answers. Stemming happens
-- in Rust (tessera-domain's `search.rs`), so the index is contentless: it keeps no second
-- copy of the text, and `contentless_delete` lets a ticket's document be replaced.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    doc,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
