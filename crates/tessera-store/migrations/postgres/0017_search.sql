-- The full-text index of tickets: one document per ticket holding the German and English
-- stems of its number, subject, requester, thread (notes included: only agents search
-- here), attachment names and custom-field answers. Stemming happens in Rust
-- (tessera-domain's `search.rs`), the same for both databases, so the vector is built
-- with the 'simple' configuration from words that are stems already.
CREATE TABLE ticket_search (
    ticket_id  BIGINT PRIMARY KEY REFERENCES ticket (ticket_id),
    doc        TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_doc_idx ON ticket_search USING gin (doc);
