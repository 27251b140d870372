-- Canned responses: prepared replies, for one department or for all.
CREATE TABLE canned_response (
    canned_response_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id       BIGINT REFERENCES department (department_id),
    title               TEXT NOT NULL,
    body                TEXT NOT NULL,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
