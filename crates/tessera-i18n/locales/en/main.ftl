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
mail-opened-body =
    Hello { $name },

    thank you for your request. We have recorded it under ticket number { $number } and will get back to you as soon as possible.

    Help topic: { $topic }
    Subject: { $subject }

    Your message:
    { $message }

    You can view and add to the ticket's history online at any time:
    { $link }

    You can also simply reply to this email.

    Your team at { $org }
