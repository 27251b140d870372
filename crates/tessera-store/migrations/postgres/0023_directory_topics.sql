-- What a new ticket needs of its help topic is kept in memory too (its custom fields, its
-- service level, and the webhooks that hear of new tickets), so changes to those tables
-- raise the directory's generation like the others (0020).

CREATE TRIGGER topic_field_directory BEFORE INSERT OR UPDATE OR DELETE ON topic_field
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER sla_plan_directory BEFORE INSERT OR UPDATE OR DELETE ON sla_plan
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER webhook_directory BEFORE INSERT OR UPDATE OR DELETE ON webhook
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
