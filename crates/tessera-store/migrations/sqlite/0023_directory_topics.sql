-- What a new ticket needs of its help topic is kept in memory too (its custom fields, its
-- service level, and the webhooks that hear of new tickets), so changes to those tables
-- raise the directory's generation like the others (0020).

CREATE TRIGGER topic_field_directory_insert AFTER INSERT ON topic_field
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER topic_field_directory_update AFTER UPDATE ON topic_field
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER topic_field_directory_delete AFTER DELETE ON topic_field
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER sla_plan_directory_insert AFTER INSERT ON sla_plan
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER sla_plan_directory_update AFTER UPDATE ON sla_plan
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER sla_plan_directory_delete AFTER DELETE ON sla_plan
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER webhook_directory_insert AFTER INSERT ON webhook
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER webhook_directory_update AFTER UPDATE ON webhook
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER webhook_directory_delete AFTER DELETE ON webhook
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
