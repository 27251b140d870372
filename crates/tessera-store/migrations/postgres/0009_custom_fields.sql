-- Custom form fields per help topic, and the answers tickets were opened with. Fields are
-- deactivated, never deleted, so a ticket always shows what was asked and answered.
CREATE TABLE topic_field (
    topic_field_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    help_topic_id   BIGINT NOT NULL REFERENCES help_topic (help_topic_id),
    key             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    label_de        TEXT NOT NULL,
    label_en        TEXT NOT NULL,
    help_de         TEXT NOT NULL DEFAULT '',
    help_en         TEXT NOT NULL DEFAULT '',
    options         TEXT NOT NULL DEFAULT '',
    is_required     BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order      BIGINT NOT NULL DEFAULT 100,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT topic_field_key_unique UNIQUE (help_topic_id, key),
    CONSTRAINT topic_field_kind_check
        CHECK (kind IN ('short_text', 'long_text', 'choice', 'multi_choice', 'checkbox', 'date'))
);

CREATE TABLE ticket_field_value (
    ticket_id       BIGINT NOT NULL REFERENCES ticket (ticket_id),
    topic_field_id  BIGINT NOT NULL REFERENCES topic_field (topic_field_id),
    value           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT ticket_field_value_pkey PRIMARY KEY (ticket_id, topic_field_id)
);
-- Finds the tickets with a given answer to a field (the API and reports ask this way, with
-- `substr(value, 1, 200) = $n`). Only a prefix is indexed: a long text would exceed
-- PostgreSQL's B-tree entry size.
CREATE INDEX ticket_field_value_field_idx
    ON ticket_field_value (topic_field_id, substr(value, 1, 200));
