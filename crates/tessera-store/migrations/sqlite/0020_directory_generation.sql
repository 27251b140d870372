-- One number that every change to the directory raises in the changing transaction: nodes
-- keep departments, teams, help topics, agents with their memberships, and canned
-- responses in memory, read this number with each request's session, and read the
-- directory again when it moved. Triggers raise it, so no write path can forget to.
-- An agent's sign-in time is not part of the directory (it would raise it at every
-- sign-in), hence the column list on `agent`.

CREATE TABLE directory_generation (
    directory_generation_id  INTEGER PRIMARY KEY CHECK (directory_generation_id = 1),
    generation               INTEGER NOT NULL
);
INSERT INTO directory_generation (directory_generation_id, generation) VALUES (1, 0);

CREATE TRIGGER department_directory_insert AFTER INSERT ON department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER department_directory_update AFTER UPDATE ON department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER department_directory_delete AFTER DELETE ON department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER team_directory_insert AFTER INSERT ON team
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER team_directory_update AFTER UPDATE ON team
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER team_directory_delete AFTER DELETE ON team
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER help_topic_directory_insert AFTER INSERT ON help_topic
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER help_topic_directory_update AFTER UPDATE ON help_topic
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER help_topic_directory_delete AFTER DELETE ON help_topic
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER agent_directory_insert AFTER INSERT ON agent
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER agent_directory_update
AFTER UPDATE OF username, email, display_name, is_admin, is_active, must_change_password, lang
ON agent
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER agent_directory_delete AFTER DELETE ON agent
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER agent_department_directory_insert AFTER INSERT ON agent_department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER agent_department_directory_update AFTER UPDATE ON agent_department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER agent_department_directory_delete AFTER DELETE ON agent_department
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER team_member_directory_insert AFTER INSERT ON team_member
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER team_member_directory_update AFTER UPDATE ON team_member
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER team_member_directory_delete AFTER DELETE ON team_member
BEGIN UPDATE directory_generation SET generation = generation + 1; END;

CREATE TRIGGER canned_response_directory_insert AFTER INSERT ON canned_response
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER canned_response_directory_update AFTER UPDATE ON canned_response
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
CREATE TRIGGER canned_response_directory_delete AFTER DELETE ON canned_response
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
