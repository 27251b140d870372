-- One number that every change to the directory raises in the changing transaction: nodes
-- keep departments, teams, help topics, agents with their memberships, and canned
-- responses in memory, read this number with each request's session, and read the
-- directory again when it moved. Triggers raise it, so no write path can forget to.
-- An agent's sign-in time is not part of the directory (it would raise it at every
-- sign-in), hence the column list on `agent`.

CREATE TABLE directory_generation (
    directory_generation_id  BIGINT PRIMARY KEY CHECK (directory_generation_id = 1),
    generation               BIGINT NOT NULL
);
INSERT INTO directory_generation (directory_generation_id, generation) VALUES (1, 0);

-- Before the statement, so that the generation's row is locked before the rows the
-- statement changes: two administrators' transactions then queue for it instead of each
-- holding rows the other wants.
CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER department_directory BEFORE INSERT OR UPDATE OR DELETE ON department
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER team_directory BEFORE INSERT OR UPDATE OR DELETE ON team
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER help_topic_directory BEFORE INSERT OR UPDATE OR DELETE ON help_topic
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER agent_directory
    BEFORE INSERT OR DELETE
       OR UPDATE OF username, email, display_name, is_admin, is_active, must_change_password, lang
    ON agent
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER agent_department_directory BEFORE INSERT OR UPDATE OR DELETE ON agent_department
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER team_member_directory BEFORE INSERT OR UPDATE OR DELETE ON team_member
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER canned_response_directory BEFORE INSERT OR UPDATE OR DELETE ON canned_response
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
