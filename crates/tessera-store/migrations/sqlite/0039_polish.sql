-- Issue 23, first start and requesters.
-- An invited agent until they choose their password through the mailed link.
ALTER TABLE agent ADD COLUMN invitation_pending BOOLEAN NOT NULL DEFAULT FALSE;
-- What a help topic is for, shown under the topic on the portal's new-ticket form.
ALTER TABLE help_topic ADD COLUMN description_de TEXT NOT NULL DEFAULT '';
ALTER TABLE help_topic ADD COLUMN description_en TEXT NOT NULL DEFAULT '';

-- Links mailed to a requester's address that open a session seeing every ticket of that
-- address ("send me a link to all my tickets"): split tokens, only the verifier's hash kept.
CREATE TABLE contact_link (
    contact_link_id  INTEGER PRIMARY KEY,
    contact_id       INTEGER NOT NULL REFERENCES contact (contact_id),
    selector         TEXT NOT NULL,
    verifier_hash    TEXT NOT NULL,
    expires_at       INTEGER NOT NULL,
    used_at          INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT contact_link_selector_unique UNIQUE (selector)
);
CREATE INDEX contact_link_contact_idx ON contact_link (contact_id);

-- A session whose browser proved it reads a contact's mail: it sees every ticket on which
-- that contact is the requester or a collaborator.
CREATE TABLE session_contact (
    session_id  INTEGER NOT NULL REFERENCES session (session_id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contact (contact_id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, contact_id)
);

-- Tickets on which a contact collaborates, for that contact's list.
CREATE INDEX IF NOT EXISTS ticket_collaborator_contact_idx ON ticket_collaborator (contact_id, ticket_id);
