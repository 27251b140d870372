-- Notices to requesters and collaborators wait a short window before they go (issue 23), so
-- that several changes by an agent become one mail: `merge_key` names the notice (ticket,
-- recipient, kind) that a later change updates while no worker has claimed it, and
-- `merge_state` is what the notice tells so far, as core encodes it. Replies never wait.
ALTER TABLE outbox_mail ADD COLUMN merge_key TEXT;
ALTER TABLE outbox_mail ADD COLUMN merge_state TEXT;
CREATE INDEX outbox_mail_merge_idx ON outbox_mail (merge_key) WHERE merge_key IS NOT NULL;
