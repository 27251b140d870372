-- Service levels: how long a ticket of a help topic may take, counted in business hours.
CREATE TABLE sla_plan (
    sla_plan_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT NOT NULL,
    grace_seconds  BIGINT NOT NULL,
    schedule       TEXT NOT NULL DEFAULT '',
    holidays       TEXT NOT NULL DEFAULT '',
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CONSTRAINT sla_plan_name_unique UNIQUE (name)
);
ALTER TABLE help_topic ADD COLUMN sla_plan_id BIGINT REFERENCES sla_plan (sla_plan_id);
