-- Canned responses: prepared replies, for one department or for all.
CREATE TABLE canned_response (
    canned_response_id  INTEGER PRIMARY KEY,
    department_id       INTEGER REFERENCES department (department_id),
    title               TEXT NOT NULL,
    body                TEXT NOT NULL,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
