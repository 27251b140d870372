-- Tickets opened through osTicket's API may say from which address the requester wrote
-- (the `ip` field: the website form's visitor, not the program that called the API).
-- NULL for tickets from anywhere else.
ALTER TABLE ticket ADD COLUMN client_ip TEXT;
