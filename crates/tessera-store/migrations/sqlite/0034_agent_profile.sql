-- Agents' own profile (issue 23): a time zone of their own (NULL: the installation's), a
-- signature appended to their public replies, and "out of office", which automatic
-- assignment skips. All three are part of the directory (an agent's session reads them
-- with the agent), so the directory trigger's column list grows by them.
ALTER TABLE agent ADD COLUMN time_zone TEXT;
ALTER TABLE agent ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE agent ADD COLUMN is_away BOOLEAN NOT NULL DEFAULT FALSE;

DROP TRIGGER agent_directory_update;
CREATE TRIGGER agent_directory_update
AFTER UPDATE OF username, email, display_name, is_admin, is_active, must_change_password, lang,
                time_zone, signature, is_away
ON agent
BEGIN UPDATE directory_generation SET generation = generation + 1; END;
