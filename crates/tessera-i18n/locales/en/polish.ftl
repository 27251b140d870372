## First start (issue 23): one's own address at the first sign-in
own-address-label = Your own email address
own-address-hint = Tessera sends you notices of new tickets here. The helpdesk's sender address reaches nobody.
error-own-address-sender = This is the helpdesk's sender address, not your own. Please give the address where you read mail yourself.
error-own-address-local = This address cannot be reached from outside. Please give the address where you read mail yourself.

## The install checklist on the administration overview
checklist-title = Finish the setup
checklist-intro = For Tessera to work reliably, this is still missing.
checklist-progress = { $done } of { $total } done
checklist-done = done
checklist-todo = to do
checklist-org-name = Organisation name
checklist-org-name-hint = It appears on the portal and in every email.
checklist-sender = Sender address
checklist-sender-hint = An address of your domain that Tessera sends mail from.
checklist-delivery = Sending mail (SMTP)
checklist-delivery-hint = An SMTP server – or deliberately "write mail as files".
checklist-time-zone = Time zone
checklist-time-zone-hint = Tessera shows every time in it.
checklist-agent-address = Agents with their own address
checklist-agent-address-hint = At least one person who is told of new tickets.
checklist-inbound = Incoming mail
checklist-inbound-hint = A mailbox from which replies by email reach the tickets.

## Invitations
agents-invited = invited
agents-is-invited = This person is invited and has not chosen a password yet.
agents-resend = Resend invitation
agents-resend-for = Resend the invitation to { $name }
done-agent-resend = The invitation was sent again; earlier links no longer work.
error-invitation-accepted = This invitation has already been accepted.

## Requesters: the status check instead of "not found", all of one's tickets
status-expired-notice = This browser has no (or no longer) access to this ticket. With the ticket number and your email address you get back in.
my-tickets-link-ask = Or ask for a link to all your tickets.
my-tickets-link-title = Link to all my tickets
my-tickets-link-intro = We send a link to your email address. It shows every ticket you opened or take part in.
my-tickets-link-submit = Send the link
my-tickets-link-sent = If this address has tickets, a link is on its way. It works once and for a short time.
my-tickets-verified-title = All tickets of your email address
my-tickets-verified-none = Your address has no tickets.
my-tickets-collaborating = taking part
my-tickets-pages = More tickets
my-tickets-more = Older tickets
my-tickets-browser-title = Opened in this browser
mail-my-tickets-subject = Your link to all your tickets at { $org }
mail-my-tickets-body =
    Hello { $name },

    You asked for a link to all your tickets. It works once and for { $minutes } minutes:
    { $link }

    If this was not you, you can ignore this email.
mail-my-tickets-link = View my tickets

## File picker: singular
js-total-one = {"{"}count{"}"} file, {"{"}size{"}"} in total

## Help topic descriptions
topic-description-de = Description (German)
topic-description-en = Description (English)
topic-description-hint = Shown on the portal under the topic, so that requesters choose the right one. At most 500 characters.
topic-descriptions-title = What the topics mean
