-- A plan's business hours and holidays are local to its time zone (an IANA name). Plans
-- made before counted in UTC and keep doing so.
ALTER TABLE sla_plan ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
