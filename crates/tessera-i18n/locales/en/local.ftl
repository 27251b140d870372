# Local time, the agent profile and the audit log in people's words (issue 23).

## Relative times
time-just-now = just now
time-minutes-ago = { $n ->
    [one] 1 min ago
   *[other] { $n } min ago
}
time-hours-ago = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
time-today = today { $time }
time-yesterday = yesterday { $time }

## The installation's time zone (settings)
settings-time-zone = Time zone
settings-time-zone-hint = Requesters see times in the portal and in mail in this time zone, and so do agents who have not chosen their own. A name such as "Europe/Berlin".

## The agent profile
profile-title = My profile
profile-name = Display name
profile-email = Email address
profile-email-hint = For notifications and to sign in.
profile-signature = Signature
profile-signature-hint = Added below your replies to requesters when you ask for it (never below internal notes). Markdown, at most { $max } characters.
profile-lang = Language
profile-zone = Time zone
profile-zone-hint = Every time in the agent area is shown in this time zone.
profile-zone-default = Same as the installation ({ $zone })
profile-away = Out of office
profile-away-hint = While this is on, no tickets are assigned to you automatically, and assignment lists show you as away.
profile-saved = Your profile has been saved.
profile-password-link = Change password
agent-away-name = { $name } (away)
reply-signature = Append my signature

## The audit log
audit-yes = yes
audit-no = no
audit-none = none
audit-set = set
audit-all = all
audit-default = default
audit-actor-cli = Command line
audit-actor-anonymous = Unknown (not signed in)
audit-action-sign-in = Sign-in
audit-action-sign-in-failed = Failed sign-in
audit-action-agent-create = Agent created
audit-action-agent-invite = Agent invited
audit-action-agent-update = Agent changed
audit-action-agent-disable = Account disabled
audit-action-agent-enable = Account enabled
audit-action-agent-reset-password = Password reset
audit-action-agent-set-password = Password set
audit-action-agent-profile = Own profile changed
audit-action-department-create = Department created
audit-action-department-update = Department changed
audit-action-department-member-add = Member added
audit-action-department-member-role = Role changed
audit-action-department-member-remove = Member removed
audit-action-team-create = Team created
audit-action-team-update = Team changed
audit-action-topic-create = Help topic created
audit-action-topic-update = Help topic changed
audit-action-sla-create = Service level created
audit-action-sla-update = Service level changed
audit-action-canned-create = Canned response created
audit-action-canned-update = Canned response changed
audit-action-topic-field-create = Form field created
audit-action-topic-field-update = Form field changed
audit-action-settings-portal-update = Portal settings changed
audit-action-settings-mail-update = Email settings changed
audit-action-settings-mail-test = Test email sent
audit-action-settings-intake-update = Spam protection changed
audit-action-inbound-retry = Incoming email processed again
audit-action-mail-retry = Email retried
audit-action-mail-retry-failed = Retry failed
audit-action-mailbox-create = Mailbox created
audit-action-mailbox-update = Mailbox changed
audit-action-mailbox-test = Mailbox tested
audit-action-webhook-create = Webhook created
audit-action-webhook-update = Webhook changed
audit-action-webhook-test = Webhook tested
audit-action-webhook-retry = Webhook delivery retried
audit-action-api-key-create = API key created
audit-action-api-key-revoke = API key revoked
audit-field-active = active
audit-field-admin = administrator
audit-field-lang = language
audit-field-departments = departments
audit-field-department = department
audit-field-members = members
audit-field-alerts = alerts
audit-field-public = public
audit-field-order = order
audit-field-required = required
audit-field-options = options
audit-field-sla = service level
audit-field-grace = grace
audit-field-hours = hours
audit-field-holidays = holidays
audit-field-tz = time zone
audit-field-zone = time zone
audit-field-signature = signature
audit-field-away = away
audit-field-org = organisation
audit-field-logo = logo
audit-field-numbers = ticket numbers
audit-field-max = attachments at most
audit-field-types = file types
audit-field-status = status check
audit-field-challenge = challenge
audit-field-confirm_first = confirm first
audit-field-quota = daily quota
audit-field-from = sender
audit-field-tls = TLS
audit-field-user = user
audit-field-password = password
audit-field-auth = sender check
audit-field-dkim = DKIM
audit-field-folder = folder
audit-field-topic = help topic
audit-field-after = after
