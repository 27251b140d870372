# Tessera – English texts. Keys and placeables must match de/main.ftl.

## Frame and navigation
nav-skip = Skip to content
nav-language = Language
nav-home = Home
nav-open = Open a new ticket
nav-status = Check ticket status
nav-my-tickets = My tickets
sign-out = Sign out
cancel = Cancel

## Home
home-title = Welcome to our help desk
home-intro = Send a request to our team here and follow its progress at any time.
home-open-title = Open a new ticket
home-open-text = Describe what you need and attach files such as sketches, Word documents or PDFs.
home-status-title = Check ticket status
home-status-text = With your ticket number and email address you can see your request's history and reply.

## Open a ticket
open-title = Open a new ticket
open-intro = Please fill in the form. The more detail you give, the faster we can help. Required fields are marked with *.
open-contact = Your contact details
open-details = Your request
open-submit = Open ticket
field-email = Email address
field-email-hint = We send the confirmation with a link to your ticket to this address.
field-name = Full name
field-topic = Help topic
field-topic-choose = – Please choose –
field-subject = Subject
field-body = Details
field-body-hint = Plain text is fine. **bold**, *italic*, lists starting with "- " and links are formatted.
field-attachments = Attachments
field-attachments-hint = Several files allowed, at most { $max } together.
field-reply = Your reply
dropzone-before = Drag files here or
dropzone-choose = choose them
files-choose-again = Please choose your files again – for your security the browser cannot keep them.
form-has-errors = Please correct the marked fields.

## Upload messages (the script fills in the placeholders in braces)
js-too-large = Together the files are larger than {"{"}max{"}"}. Please remove some.
js-bad-type = This file type is not allowed: {"{"}name{"}"}
js-remove = Remove {"{"}name{"}"}
js-total = {"{"}count{"}"} file(s), {"{"}size{"}"} in total
js-uploading = Uploading … {"{"}percent{"}"}%
js-failed = The upload failed. Please try again.

## Field errors
error-required = Please fill in this field.
error-too-long = This text is too long.
error-bad-characters = This text contains control characters that are not allowed.
error-email = Please enter a valid email address, e.g. name@example.org.
error-topic = Please choose a help topic.
error-attachments-too-large = The attachments are too large together. Nothing was saved – please choose smaller or fewer files.
error-attachments-too-many = Please attach at most 20 files.
error-attachment-type = At least one file has a type that is not allowed.
error-csrf = The form was open for too long or did not come from this site. Please submit it again.

## Error pages
error-status-code = Error code
error-not-found = Not found
error-not-found-text = This page does not exist, or you do not have access to it.
error-forbidden = Not allowed
error-forbidden-text = This request was refused for security reasons. Please reload the page and try again.
error-too-many = Too many attempts
error-too-many-text = Please wait a quarter of an hour and then try again.
error-internal = Something went wrong
error-internal-text = An error occurred on our side. If you saw a confirmation, nothing you sent is lost. Please try again in a moment.
error-unavailable = Please try again in a moment
error-unavailable-text = Tessera cannot store or load data right now: the database or the disk is busy, full or not reachable. If you did not see a confirmation, please send your request again in a moment.
error-conflict = Changed in the meantime
error-conflict-text = Someone else changed this in the meantime. Please reload the page, check what changed and try again.
error-invalid = Please check your input
error-invalid-text = The request contains values that cannot be used:
error-not-permitted = Not allowed
error-not-permitted-text = You may see this, but your role does not allow this change. Ask an administrator if you need it.

## Check status and access
status-title = Check ticket status
status-intro = Enter the ticket number from the confirmation email and your email address.
status-submit = Show ticket
status-failed = We could not find a ticket with this number and email address. Please check what you entered.
field-number = Ticket number
field-number-hint = The six-digit number is in the subject of the confirmation email, e.g. [#123456].
access-invalid-title = This link no longer works
access-invalid-text = The link is invalid or has been revoked. You can still reach your ticket with its number and your email address.
tickets-none = No tickets have been opened in this session yet.
tickets-intro = These are the tickets you opened in this browser.

## Ticket page
receipt-title = Your ticket #{ $number } has been opened.
receipt-text = A confirmation with a link to this ticket is on its way to { $email }. Below is everything you sent us.
reply-saved = Your reply has been saved.
reply-title = Reply
reply-submit = Send reply
meta-status = Status
meta-department = Department
meta-assignee = Assigned to
meta-unassigned = Not assigned yet
meta-requester = Opened by
meta-created = Opened on
meta-attachments = Attachments
thread-title = History
thread-agent = Team
status-open = Open
status-resolved = Resolved
status-closed = Closed

## First start
seed-department = Support
seed-topic-general = General inquiry
seed-topic-idea = Submit an idea
seed-topic-website = Report a website problem

## Emails
mail-view-ticket = View ticket
mail-opened-subject = [#{ $number }] { $subject }

## Agent area: sign-in
nav-agent-login = Staff sign-in
agent-portal-link = To the help desk portal
agent-nav = Agent area
agent-queues = Queues
login-title = Staff sign-in
login-submit = Sign in
login-failed = The user name or password is not right.
field-username = User name or email address
field-password = Password
password-title = Change password
password-forced = Please choose your own password before you start.
password-hint = At least { $min } characters. A sentence of several words is easy to remember and hard to guess.
password-submit = Save password
field-password-current = Current password
field-password-new = New password
field-password-repeat = Repeat new password
error-password-wrong = The current password is not right.
error-password-short = The new password is too short.
error-password-same = The new password must differ from the old one.
error-password-mismatch = The two new passwords do not match.

## Queues
queue-open = Open
queue-answered = Answered
queue-mine = My tickets
queue-teams = My teams
queue-unassigned = Unassigned
queue-overdue = Overdue
queue-closed = Closed
queue-all = All
queue-empty = Nothing to do here right now.
filter-any = – any –
filter-sort = Sort by
filter-dir = Order
filter-dir-default = Default
filter-dir-desc = Descending
filter-dir-asc = Ascending
filter-apply = Apply
sort-updated = Last activity
sort-number = Ticket number
sort-due = Due date
sort-priority = Priority
col-number = Number
col-activity = Last activity
col-priority = Priority
unseen = New activity
bulk-select = Select
bulk-select-one = Select ticket #{ $number }
bulk-label = Selected tickets
bulk-choose = – choose an action –
bulk-apply = Apply
pager = Pages
pager-first = First page
pager-next = Next page
priority-low = Low
priority-normal = Normal
priority-high = High
priority-emergency = Emergency

## Ticket in the agent area
presence = Also open right now by: { $names }
entry-message = Message
entry-reply = Reply
entry-note = Internal note
entry-event = Event
agent-reply-title = Reply
agent-reply-to = Reply to { $name } and everyone involved
agent-reply-submit = Send reply
reply-status = Status afterwards
reply-status-keep = – unchanged –
stale-title = Someone else has written in the meantime.
stale-text = Please read the new entries above. Your text is kept; send it again if it still fits.
stale-send = Send anyway
note-title = Internal note
note-label = Note (visible to agents only)
note-hint = Requesters and collaborators never see notes.
note-alert = Alert the assignee by email
note-submit = Save note
view-only = You can only view this ticket.
panel-details = Details
panel-assignment = Assignment
panel-state = Status and priority
panel-collaborators = Collaborators
panel-other-tickets = The requester's other tickets
collaborators-none = No collaborators yet.
other-tickets-none = No other tickets.
collaborator-remove = Remove { $name }
meta-due = Due
action-claim = Claim
action-release = Release
action-assign = Assign
action-assign-agent = To an agent
action-assign-team = To a team
action-transfer = Transfer to department
action-transfer-submit = Transfer
transfer-comment = Comment for the hand-over
action-save = Save
action-close = Close
action-remove = Remove
action-add-collaborator = Add collaborator
done-reply = Your reply was saved and is being sent.
done-note = The note was saved.
done-assign = The ticket was assigned.
done-claim = You have claimed the ticket.
done-release = You have released the ticket.
done-transfer = The ticket was transferred.
done-status = The status was changed.
done-priority = The priority was changed.
done-due = The due date was saved.
done-collaborator-add = The person was added and informed by email.
done-collaborator-remove = The person was removed.
done-password = Your new password is saved.
done-bulk = The selected tickets were changed.
done-bulk-nothing = Please select tickets and an action.
error-assignee = Please choose an agent or a team.
error-department = Please choose a department.
error-status = Please choose a status.
error-priority = Please choose a priority.
error-date = Please enter a date, e.g. 2026-12-24.
error-collaborator-requester = This person opened the ticket and is already involved.
error-not-allowed = You are not allowed to do that.

## Events in the thread
event-assigned = assigned to: { $agent } { $team }
event-claimed = claimed the ticket
event-released = released the ticket
event-transferred = transferred from { $from } to { $to }
event-status = changed the status from “{ $from }” to “{ $to }”
event-priority = changed the priority from “{ $from }” to “{ $to }”
event-due = set the due date: { $due }
event-collaborator-added = added { $email }
event-collaborator-removed = removed { $email }

## Mail about tickets in progress
mail-ticket-subject = [#{ $number }] { $subject }
mail-open-ticket = Open ticket
mail-reply-body =
    Hello { $name },

    { $agent } replied to your ticket { $number }:

    { $message }

    See the whole history here, where you can also reply:
    { $link }

    Your team at { $org }
mail-assigned-body =
    Hello { $name },

    Your ticket { $number } “{ $subject }” is now handled by: { $assignee }.

    See its history here:
    { $link }

    Your team at { $org }
mail-collaborator-body =
    Hello { $name },

    { $agent } added you to ticket { $number } “{ $subject }” of { $requester }. You will be informed of every step by email and can reply yourself.

    To the ticket:
    { $link }

    Your team at { $org }
mail-alert-new-subject = New ticket [#{ $number }] { $subject }
mail-alert-new-body =
    New ticket { $number } from { $actor } in { $department }:

    { $message }

    { $link }
mail-alert-message-subject = New message [#{ $number }] { $subject }
mail-alert-message-body =
    { $actor } wrote on ticket { $number }:

    { $message }

    { $link }
mail-alert-assigned-subject = Assigned to you [#{ $number }] { $subject }
mail-alert-assigned-body =
    { $actor } assigned ticket { $number } from { $requester } to you (or your team).

    { $link }
mail-alert-note-subject = Internal note [#{ $number }] { $subject }
mail-alert-note-body =
    { $actor } wrote an internal note on ticket { $number }:

    { $message }

    { $link }
mail-alert-transferred-subject = Transferred to { $department } [#{ $number }] { $subject }
mail-alert-transferred-body =
    { $actor } transferred ticket { $number } to { $department }.

    { $message }

    { $link }
mail-alert-overdue-subject = Overdue [#{ $number }] { $subject }
mail-alert-overdue-body =
    Ticket { $number } from { $requester } is overdue.

    { $link }
event-created = opened the ticket through { $source ->
        [portal] the portal
        [email] email
       *[other] the API
    }

## Administration: audit log
audit-title = Audit log
audit-intro = Every administrative change and every sign-in attempt, newest first.
audit-action = Action
audit-actor = Who
audit-when = When
audit-target = Concerns
audit-change = Change
audit-ip = Address
audit-empty = No entries.
audit-older = Older entries

## Administration: agents
agents-title = Agents
agents-state = State
agents-admin = Admin
agents-active = active
agents-disabled = disabled
agents-invite = Invite an agent
agents-invite-intro = They receive an email with a link to choose their own password. The link works for seven days.
agents-admin-label = May administer everything and sees every ticket
agents-departments = Departments and role
agents-invite-submit = Send invitation
agents-is-disabled = This account is disabled: signing in is not possible.
agents-access = Access
agents-send-reset = Send a link to set a password
agents-disable = Disable
agents-enable = Enable
field-display-name = Display name
field-username-only = User name
role-none = – not a member –
role-view = View only
role-agent = Agent
role-manager = Manager
set-password-title = Choose a password
set-password-invalid = This link is invalid, expired or already used. Please ask an administrator for a new one.
password-saved = Your password is saved. Please sign in.
done-agent-invite = The invitation was sent.
done-agent-update = The changes were saved.
done-agent-disable = The account is disabled; all its sessions have ended.
done-agent-enable = The account is active again.
done-agent-reset = A link to set a password was sent; all sessions have ended.
error-username = Only letters, digits, dot, hyphen and underscore, at most 50 characters.
error-username-taken = This user name is taken.
error-email-taken = This email address belongs to another account.
error-disable-self = You cannot disable yourself.
mail-password-link = Choose password
mail-password-invite-subject = Your access to { $org }
mail-password-invite-body =
    Hello { $name },

    you have been invited as an agent at { $org }. Choose your password with this link (valid for { $days } days):
    { $link }
mail-password-reset-subject = New password for { $org }
mail-password-reset-body =
    Hello { $name },

    a new password was requested for your account at { $org }. Choose it with this link (valid for { $days } days):
    { $link }

    If you did not expect this, please tell your administrator.

## Administration: organisation
yes = yes
no = no
field-name-only = Name
org-departments = Departments
org-teams = Teams
org-topics = Help topics
org-create = Create
org-edit = Edit
org-alerts = Alerts
org-alerts-label = Email the members about new tickets
org-active = Active
org-active-label = Active (inactive entries stay on existing tickets)
org-members = Members
org-lead = Lead
org-name-de = Name (German)
org-name-en = Name (English)
org-public = Public
org-public-label = Offer on the help desk portal
org-order = Order
org-department-email = The department's email address
error-name-taken = This name is taken.
org-sla = Service levels
sla-grace = Grace (hours)
sla-grace-label = Grace period in working hours
sla-schedule = Business hours
sla-holidays-label = Holidays, e.g. "2026-12-24, 2026-12-25"
sla-plan = Service level
sla-none = – none –
error-hours = Please enter a number of hours greater than 0.
error-schedule = Please write business hours like "Mon-Fri 08:00-17:00".
error-holidays = Please write holidays as YYYY-MM-DD, separated by commas.
org-canned = Canned responses
canned-title = Title
canned-body = Text (placeholders: {"{"}{"{"}requester.name{"}"}{"}"}, {"{"}{"{"}requester.email{"}"}{"}"}, {"{"}{"{"}ticket.number{"}"}{"}"}, {"{"}{"{"}ticket.subject{"}"}{"}"}, {"{"}{"{"}agent.name{"}"}{"}"})
canned-all = all departments
canned-label = Canned response
canned-insert = Insert
topic-priority = Priority of new tickets
topic-auto-agent = Assign new tickets automatically to (agent)
topic-auto-team = Assign new tickets automatically to (team)
action-revoke-access = Revoke access links
done-revoke-access = All of this person's access links are revoked; open sessions no longer see the ticket.
event-access-revoked = revoked the access links of { $email }

## Settings (portal and email)
settings-title = Settings
settings-portal = Portal
settings-mail = Email
settings-saved = The settings are saved and apply from now on.
settings-appearance = Appearance
settings-org-name = Organisation name
settings-org-name-hint = Shown at the top of every page and in every email.
settings-logo = Logo
settings-logo-current = Current logo
settings-logo-hint = PNG, JPEG, GIF or WebP, at most { $kb } KB. Without a new file the current logo stays.
settings-logo-remove = Remove the logo
settings-intro-de = Welcome text on the home page (German)
settings-intro-en = Welcome text on the home page (English)
settings-intro-hint = Leave empty for the standard text. **bold**, *italics*, lists and links are possible.
settings-default-lang = Default language
settings-default-lang-hint = For visitors whose browser prefers neither German nor English, and for email to people whose language is unknown.
settings-tickets = Tickets and attachments
settings-number-format = Ticket number format
settings-number-format-hint = Each # becomes a random digit, everything else stays, e.g. ###### or DRK-####. Once a tenth of the possible numbers are taken, the last group of # gets one digit more. Existing tickets keep their numbers.
settings-max-mb = Attachments per message at most (MB)
settings-max-mb-hint = All files of one message together; at most { $max } MB.
settings-allowed-types = Allowed file types
settings-allowed-types-hint = File extensions separated by commas, e.g. pdf, docx, png, jpg. Leave empty to allow every type.
settings-status-mode = When someone uses "Check ticket status" with a matching number and email address
settings-status-open = Open the ticket at once
settings-status-mail = Send a fresh access link to the email address (safer: only whoever reads that mailbox gets in)
settings-sender = Sender
settings-sender-hint = For email without a department address of its own, such as invitations. Each department sends its ticket email from its own address (under Departments).
settings-mail-from = Sender address
settings-mail-from-name = Sender name
settings-delivery = Delivery
settings-delivery-how = How should email be sent?
settings-delivery-smtp = Through an SMTP server
settings-delivery-files = Don't send; write it as files into the data folder (for trying Tessera out)
settings-smtp-host = SMTP server
settings-smtp-host-hint = Name or address, e.g. smtp.example.org
settings-smtp-port = Port
settings-smtp-port-hint = Leave empty for the usual port: 587 (STARTTLS), 465 (TLS), 25 (none)
settings-smtp-tls = Encryption
settings-tls-starttls = STARTTLS (recommended, usually port 587)
settings-tls-tls = TLS from the start (usually port 465)
settings-tls-none = None (only for a server on your own network)
settings-tls-opportunistic = STARTTLS when offered (not recommended)
settings-smtp-user = User name
settings-smtp-user-hint = Leave empty if the server needs no sign-in.
settings-smtp-password = Password
settings-smtp-password-stored = A password is stored; it is never shown again. Leave empty to keep it.
settings-smtp-password-none = No password is stored.
settings-smtp-password-clear = Delete the stored password
settings-test = Test email
settings-test-hint = Sends an email at once with the values in this form, even before they are saved.
settings-test-to = Send the test email to
settings-test-send = Send test email
settings-test-sent = The server accepted the test email to { $to }.
settings-test-detail = The server's answer:
settings-test-settings = No email can be sent with these values. Please check the server and the sender address.
settings-test-connect = No connection to the SMTP server. Please check the server name and port, and that the server is reachable.
settings-test-tls = The encrypted connection failed. Please check that encryption and port belong together (STARTTLS usually 587, TLS usually 465).
settings-test-auth = The server refused the user name or password.
settings-test-rejected = The server refused the email, for example its sender or recipient.
settings-test-timeout = The server did not answer in time.
settings-test-other = The test email could not be sent.
error-number-format = Please use at least four # and otherwise only letters, digits and dashes, at most 20 characters.
error-attachment-limit = Please enter a number greater than 0 and at most 100.
error-file-types = Please list only file extensions of letters and digits, separated by commas.
error-logo-size = The logo is too large: at most 256 KB.
error-logo-type = The logo must be a PNG, JPEG, GIF or WebP image.
error-smtp-host = Please enter the name or address of the SMTP server.
error-port = Please enter a port between 1 and 65535.
status-sent = Thank you. If the ticket number and email address belong together, we have just sent a link to your ticket to that address.
status-sent-hint = Open the email and click the link. If nothing arrives, please check your spam folder and what you entered.
status-again = Try again
mail-status-link-subject = [#{ $number }] Your link to the ticket
mail-status-link-body =
    Hello { $name },

    You asked for a link to your ticket { $number } ("{ $subject }"). Here you can see its history and reply:
    { $link }

    If this was not you, you can ignore this email.

    Your team at { $org }
mail-test-subject = Test email from { $org }
mail-test-body =
    This test email confirms that { $org } can send email through the configured server.

## Department members and time zones
members-title = Members
members-link = Manage members and managers
members-heading = Members: { $department }
members-managers = Managers
members-intro = "View only" sees the department's tickets, "Agent" works them, "Manager" works them and receives escalations. Everyone sees tickets assigned to them, member or not.
members-none = This department has no members yet.
members-role = Role
members-active = Account active
members-actions = Actions
members-role-of = Role of { $name }
members-change = Change role
members-change-of = Change role: { $name }
members-remove = Remove
members-remove-of = Remove: { $name }
members-add = Add someone
members-agent = Agent
members-add-submit = Add
members-no-candidates = Every active agent is already a member of this department.
members-manager-mark = Manager
done-member-add = They are now a member of the department.
done-member-role = The role has been changed.
done-member-remove = They are no longer a member of the department.
error-member-agent = Please choose an active agent.
error-member-role = Please choose a role.
sla-timezone = Time zone
sla-timezone-label = Time zone of the business hours and holidays, e.g. "Europe/Berlin" (empty: UTC)
sla-schedule-local-label = Business hours, e.g. "Mon-Fri 08:00-17:00" (local time of the zone; empty: around the clock)
error-timezone = This time zone is unknown. Please enter a name such as "Europe/Berlin" or "UTC".

## Custom fields
fields-link = Custom form fields of this help topic
fields-title = Form fields: { $topic }
fields-none = This help topic has no custom form fields yet.
fields-create = New field
fields-edit = Edit field
fields-label = Label
fields-label-de = Label (German)
fields-label-en = Label (English)
fields-key = Machine name
fields-key-hint = Lower-case letters, digits and underscores, e.g. “event_date”. The API knows the field by it; it cannot be changed later.
fields-kind = Kind
fields-kind-hint = The kind cannot be changed later.
fields-kind-short_text = Text (one line)
fields-kind-long_text = Text (several lines)
fields-kind-choice = Choice (one option)
fields-kind-multi_choice = Multiple choice
fields-kind-checkbox = Checkbox
fields-kind-date = Date
fields-fixed-hint = Machine name and kind stay as created: existing tickets and the API rely on them.
fields-help-de = Help text (German)
fields-help-en = Help text (English)
fields-options = Options
fields-options-hint = One option per line; only for choice and multiple choice.
fields-required = Required
fields-required-label = Required (the ticket cannot be submitted without an answer)
fields-active-label = Active (inactive fields no longer appear on the form; existing tickets keep their answers)
fields-legend = Details for “{ $topic }”
fields-choose = – please choose –
filter-field-value = Answer in extra fields contains
error-field-checkbox = Please tick this box.
error-field-choice = Please choose one of the options offered.
error-field-date = Please enter a valid date, e.g. 2026-12-24.
error-field-key = Please use only lower-case letters, digits and underscores, starting with a letter (at most 40 characters).
error-field-key-taken = This help topic already has a field with this machine name.
error-field-kind = Please choose a kind.
error-field-options = Please give at least one option, one per line (at most 50, each at most 200 characters).
error-field-order = Please enter a whole number from 0 to 100000.

## Administration: overview
admin-title = Administration
admin-group-people = People
admin-group-tickets = Tickets
admin-group-system = System
admin-agents-text = Invite, roles per department, disable, reset passwords.
admin-departments-text = Name, sender address, members and managers.
admin-teams-text = Groups across departments, with a lead.
admin-topics-text = What requesters choose, with custom form fields and automatic assignment.
admin-sla-text = Deadlines in business hours, with holidays and time zone.
admin-canned-text = Prepared replies with placeholders.
admin-portal-text = Name, logo, welcome text, language, ticket numbers, attachments.
admin-mail-text = Sender, SMTP server and test email.
admin-mailboxes-text = IMAP mailboxes per department that Tessera fetches mail from.
admin-audit-text = Who changed what and when, and every sign-in.

## Email in
event-mail-bounced = recorded a bounce: mail about this ticket could not be delivered (address: { $recipient }); it was not answered
ingest-no-subject = (no subject)
ingest-dropped-too-large = [Attachment “{ $name }” was not kept: the attachments of one message may be { $mb } MB in total.]
ingest-dropped-type = [Attachment “{ $name }” was not kept: files of this type are not accepted.]
ingest-dropped-too-many = [Attachment “{ $name }” was not kept: one message may carry at most { $count } files.]

## Email in: views
mail-by-email = by email
mail-show-quoted = Show quoted text
mail-show-original = Show original email (HTML)
mail-original-title = Original email
mail-original-intro = The email as it was sent, with scripts, styles, forms and remote content removed. Images attached to the email are shown; images from elsewhere are not loaded.
mail-original-back = Back to ticket #{ $number }
mail-original-images = Images in this email
mail-in-title = Incoming mail set aside
admin-mail-in-text = Incoming mail that could not be read or was deliberately not acted on: download it or process it again.
mail-in-intro = Every incoming message is kept. These were set aside: quarantined ones could not be read or routed and wait for you; ignored ones were deliberately not acted on (Tessera's own mail, copies, bounces for no known ticket).
mail-in-tab-quarantined = Quarantined
mail-in-tab-ignored = Ignored
mail-in-empty = No messages here.
mail-in-received = Received
mail-in-source = Source
mail-in-from = Sender
mail-in-subject = Subject
mail-in-reason = Reason
mail-in-actions = Actions
mail-in-unknown = unknown
mail-in-head = First lines of the message
mail-in-download = Download raw (.eml)
mail-in-retry = Process again
mail-in-older = Older messages
mail-in-source-pipe = Mail server (pipe)
mail-in-source-imap = IMAP mailbox
mail-in-source-api = API
mail-in-retried-done = The message was processed again and has now been acted on.
mail-in-retried-quarantined = The message was processed again and is still quarantined; the reason shown is the new one.
mail-in-retried-ignored = The message was processed again and has now been set aside as ignored.
mail-in-retried-stored = The message is being processed by another run.
mail-in-not-quarantined = This message is not quarantined (any more).
mail-in-retry-failed = Processing the message again failed; the reason is shown with it.
mail-in-reason-retry-failed = Processing it again failed: { $detail }
mail-in-reason-unreadable = The message cannot be read: { $detail }
mail-in-reason-no-sender = The message has no sender.
mail-in-reason-bad-sender = The sender “{ $sender }” is not an email address.
mail-in-reason-own-address = Sent from Tessera's own address { $address }.
mail-in-reason-copy = A copy of inbound message { $id }.
mail-in-reason-stray-bounce = A bounce for no known ticket.
mail-in-reason-posted-before = Posted before, and not acted on.

## Mailboxes (IMAP)
mailbox-title = Mailboxes
mailbox-intro = Tessera reads these IMAP mailboxes itself, every minute unless configured otherwise: new mail becomes tickets, replies land in their tickets. A message is marked on the server only after it is stored.
mailbox-none = No mailbox is configured yet.
mailbox-address = Mailbox
mailbox-department = Department
mailbox-folder = Folder
mailbox-folder-hint = Usually INBOX.
mailbox-last-poll = Last read
mailbox-last-error = Last error
mailbox-active = Active
mailbox-active-label = Active (read regularly)
mailbox-never = not yet
mailbox-new = New mailbox
mailbox-edit = Edit mailbox
mailbox-saved = The mailbox was saved.
mailbox-host = IMAP server
mailbox-port = Port
mailbox-port-hint = Empty: 993 with TLS, 143 with STARTTLS.
mailbox-tls = Connection security
mailbox-tls-tls = TLS (IMAPS, usually port 993)
mailbox-tls-starttls = STARTTLS (usually port 143)
mailbox-tls-none = None (only for a server on this machine)
mailbox-username = User name
mailbox-password = Password
mailbox-password-stored = A password is stored. Leave the field empty to keep it.
mailbox-password-none = No password is stored.
mailbox-password-clear = Forget the stored password
mailbox-topic = Help topic for new tickets
mailbox-topic-default = The department's usual topic
mailbox-topic-hint = Only topics of the chosen department can be used.
mailbox-after = After a message is stored
mailbox-after-seen = Mark it as read and leave it in the folder
mailbox-after-move = Move it to the archive folder
mailbox-after-delete = Delete it from the server
mailbox-archive = Archive folder
mailbox-archive-hint = Only needed when messages are moved; the folder must exist.
mailbox-test = Test connection
mailbox-test-ok = The connection works: signed in and opened the folder.
mailbox-error-connect = The server could not be reached. Please check the server name and port.
mailbox-error-tls = The secure connection failed. Please check the connection security and port.
mailbox-error-auth = The server refused the user name or password.
mailbox-error-folder = The folder does not exist on the server, or cannot be opened.
mailbox-error-timeout = The server did not answer in time.
mailbox-error-settings = These settings cannot be used.
mailbox-error-ingest = A message could not be stored; it stays on the server and is tried again.
mailbox-error-other = The server refused a command.
error-mailbox-host = Please enter the name or address of the IMAP server.
error-mailbox-plain-remote = Without TLS, a mailbox may only be read on this machine (127.0.0.1); otherwise the password would cross the network readable.
error-mailbox-folder = Please enter a folder name without quotation marks or backslashes (at most 200 characters).
error-mailbox-topic = Please choose a help topic of the chosen department.
error-mailbox-archive = Please enter the folder to move messages to (not the folder that is read).
error-mailbox-taken = This mailbox and folder are already configured.

# API keys and the APIs
error-ip-range = Please give address ranges such as 192.0.2.0/24 or 2001:db8::/32, separated by commas.
error-api-scope = Please choose a scope: create only, read or write.
error-api-rate = Please give a number from 1 to 1,000,000 requests per minute.
error-api-agent = There is no active agent of that name.
error-api-agent-required = Read and write keys act as an agent: please name one.
api-problem-unauthorized = A valid API key is required.
api-problem-rate-limited = Too many requests with this key; please try again in a minute.
api-problem-internal = Something went wrong on the server.
api-problem-invalid = The request contains invalid values.
api-problem-not-found = Not found.
api-problem-forbidden = This key may not do that.
api-problem-stale = The ticket has changed in the meantime.
api-problem-conflict = The request conflicts with the current state (for example a value that must be unique is taken).
api-problem-unavailable = The service cannot store or load data right now; please try again in a moment (see Retry-After).

# Search
search-label = Search
search-placeholder = Number, subject, text, name, email, file name …
search-hint = Finds other forms of a word too (printer, printers); every word must occur.
search-ranked = Hits ordered by relevance (within each set of the newest 1,000).
search-everywhere = Search all tickets
search-nothing = No tickets found. Try fewer or other words?
tickets-search-label = Search your tickets
tickets-search-all = Show all your tickets
# osTicket's ticket API and the API keys' administration
api-os-key-required = Valid API key required
api-os-key-refused = API key not found/active or source IP not authorized
api-os-not-authorized = API key not authorized
api-os-rate-limited = Too many requests with this API key; please try again in a minute.
api-os-unsupported = Unsupported data format: please send JSON (Content-Type: application/json).
api-os-too-large = Request body too large
api-os-not-object = The request must be a JSON object.
api-os-bad-json = The request is not valid JSON: { $detail }
api-os-invalid = Unable to create new ticket: validation errors:
api-os-internal = Unable to create new ticket: unknown error
api-os-email-empty = The request contains no message.
api-os-email-quarantined = The message could not be read; it is kept for an administrator: { $detail }
api-os-email-ignored = The message was kept but not acted on: { $detail }
api-os-email-unavailable = The message cannot be stored right now; please send it again later.
api-os-unavailable = Unable to create new ticket right now; please try again in a moment.
api-os-conflict = Unable to create new ticket: the request conflicts with the current state.
error-api-priority = Please give a priority: 1 (low), 2 (normal), 3 (high), 4 (emergency) or its name.
error-api-ip = Please give an IPv4 or IPv6 address.
error-api-charset = Please send the text in UTF-8 (or ISO-8859-1).
error-api-data-url = The data URL cannot be read (a comma after the type, then the data; base64 must be valid).
error-api-attachment = Each attachment must be an object of a file name and a data URL, e.g. {"{"}"file.txt": "data:text/plain,…"{"}"}, with valid base64.
apikeys-title = API keys
admin-apikeys-text = Keys for programs: osTicket-compatible ticket creation and the REST API.
apikeys-intro = Programs authenticate with a key in the X-API-Key header. A key is shown once when it is created and stored only as a hash; revoking it takes effect at once.
apikeys-none = There are no API keys yet.
apikeys-name = Name
apikeys-name-hint = Who uses the key, e.g. "Website form".
apikeys-scope = Scope
apikeys-scope-create = Create tickets only
apikeys-scope-read = Read (as the agent)
apikeys-scope-write = Read and write (as the agent)
apikeys-agent = Agent
apikeys-agent-hint = User name of the agent a read or write key acts as; it sees and may do exactly what that agent may. Leave empty for create-only keys.
apikeys-allowed = Allowed addresses
apikeys-allowed-hint = Address ranges the key may be used from, separated by commas (e.g. 192.0.2.0/24, 2001:db8::/32). Empty: from anywhere.
apikeys-allowed-any = anywhere
apikeys-rate = Requests per minute
apikeys-rate-hint = Leave empty for { $default }.
apikeys-created = Created
apikeys-last-used = Last used
apikeys-never = never
apikeys-status = Status
apikeys-active = active
apikeys-revoked = revoked { $when }
apikeys-new = New API key
apikeys-create = Create key
apikeys-revoke = Revoke
apikeys-revoke-title = Revoke API key "{ $name }"?
apikeys-revoke-text = Programs using this key are refused at once. This cannot be undone; a new key would have to be created and given to them.
apikeys-revoke-confirm = Yes, revoke the key
apikeys-cancel = Cancel
apikeys-shown-once = The new key "{ $name }" — copy it now: it is shown only this once and cannot be displayed again.
apikeys-done-revoked = The key is revoked.
## REST API (/api/v1)
api-problem-malformed = The request body is not valid JSON.
api-problem-unsupported-media-type = The request body must be JSON (Content-Type: application/json).
api-problem-too-large = The request body is too large.
api-problem-bad-parameter = A query parameter is invalid.
api-problem-method-not-allowed = This method is not allowed here.
error-api-nul = Text must not contain NUL characters.
error-api-base64 = Each attachment needs a file name and non-empty base64 data.
error-api-cursor = This cursor does not belong to this list; start again without it.
error-api-limit = Choose between 1 and 100 rows per page.
# Webhooks
admin-webhooks-text = Tell other programs about ticket events: signed HTTP requests to addresses you choose, with a delivery log.
webhook-title = Webhooks
webhook-intro = For each event chosen, Tessera sends a POST request with a JSON description to the address, signed with the webhook's secret (header X-Tessera-Signature). Failed deliveries are retried for about a day.
webhook-none = No webhooks yet.
webhook-new = New webhook
webhook-edit = Edit webhook
webhook-url = Address (URL)
webhook-url-hint = An http:// or https:// address. Redirects are not followed.
webhook-description = Description
webhook-events = Events
webhook-active = Active
webhook-active-label = Active (send events to this address)
webhook-allow-private = Allow addresses in private networks and on this machine
webhook-allow-private-hint = Off by default: loopback (127.0.0.1, localhost), private (10.x, 192.168.x, fc00::/7), link-local (169.254.x, cloud metadata) and similar addresses are refused, so that a webhook cannot reach inside your network. Only tick this for a receiver you run yourself.
webhook-event-ticket-created = Ticket opened
webhook-event-ticket-updated = Ticket changed (department, priority, due date, collaborators, released, …)
webhook-event-message = Message from the requester or a collaborator
webhook-event-reply = Reply by an agent
webhook-event-note = Internal note
webhook-event-assigned = Assigned or claimed
webhook-event-status = Status changed
webhook-test = Send test event
webhook-secret = Secret
webhook-secret-hint = The receiver verifies each request: HMAC-SHA256 with this secret over the X-Tessera-Timestamp header, a full stop and the request body, as hex, must equal X-Tessera-Signature after "sha256=". Keep it secret.
webhook-secret-show = Show secret
webhook-log = Deliveries
webhook-log-none = Nothing has been sent yet.
webhook-log-queued = Queued
webhook-log-event = Event
webhook-log-state = State
webhook-log-attempts = Attempts
webhook-log-last = Last answer
webhook-log-next = Next attempt
webhook-log-each = Every attempt
webhook-log-older = Older deliveries
webhook-state-pending = waiting
webhook-state-delivered = delivered
webhook-state-failed = failed
webhook-retry = Retry now
webhook-done-created = The webhook has been created.
webhook-done-saved = The webhook has been saved.
webhook-done-test = A test event is on its way; its delivery appears below.
webhook-done-retry = The delivery has been queued again.
webhook-fail-inactive = Not sent: the webhook is inactive.
webhook-fail-url = Not sent: the URL cannot be read ({ $detail }).
webhook-fail-refused = Refused: { $host } is { $kind ->
        [loopback] a loopback address (this machine)
        [private] an address in a private network
        [link-local] a link-local address
        [unspecified] an unspecified address
        [multicast] a multicast address
        [shared] a shared (CGNAT) address
       *[other] a reserved address
    }; allow private targets to send there.
webhook-fail-resolved = Refused: { $host } resolves to { $address }, { $kind ->
        [loopback] a loopback address (this machine)
        [private] an address in a private network
        [link-local] a link-local address
        [unspecified] an unspecified address
        [multicast] a multicast address
        [shared] a shared (CGNAT) address
       *[other] a reserved address
    }; allow private targets to send there.
webhook-fail-request = The request failed: { $detail }
error-webhook-url = Please enter a complete http:// or https:// address without a user name or password.
error-webhook-private = This address is on this machine or in a private network. Tick "Allow addresses in private networks" if that is intended.
error-webhook-events = Please choose at least one event.
