# Who learns what about a ticket (issue 23): texts per role, merged notices, the receipt
# and the alerts to agents.

## Notices to requesters and collaborators ({ $changes }: one line per change)
notice-body-requester =
    Hello { $name },

    there is news about your ticket { $number } “{ $subject }”:

    { $changes }

    See its history here:
    { $link }

    Your team at { $org }
notice-body-collaborator =
    Hello { $name },

    there is news about a ticket you are copied on: { $number } “{ $subject }” of { TRIM_STOP($requester) }.

    { $changes }

    See its history here:
    { $link }

    Your team at { $org }
notice-change-agent = { $agent } is now taking care of it.
notice-change-resolved = The ticket is now marked as resolved. If anything is still missing, simply reply through the link below.
notice-change-closed = The ticket is now closed.
notice-change-reopened = The ticket has been reopened.
notice-also = Also:

## Replies to collaborators (to requesters: mail-reply-body)
notice-reply-collaborator-body =
    Hello { $name },

    { $agent } replied on a ticket you are copied on: { $number } “{ $subject }” of { TRIM_STOP($requester) }.

    { $message }

    { $changes }See the whole history here, where you can also reply:
    { $link }

    Your team at { $org }

## The receipt (after intake-mail-received-body)
notice-receipt-files = We received these attachments:
notice-receipt-reply = You can also simply reply to this email.
notice-receipt-ignore = If you did not send this request, you can ignore this message.
notice-signature = Your team at { $org }

## Alerts to agents: assigned to a team (to a person: mail-alert-assigned-*)
mail-alert-assigned-team-subject = Assigned to your team { $team } [#{ $number }] { $subject }
mail-alert-assigned-team-body =
    { $actor } assigned ticket { $number } of { $requester } to your team { TRIM_STOP($team) }. Whoever works on it claims it on the ticket.

    { $link }

## Administration: a waiting notice in the outbox
notice-state-waiting = waits until { $when } for further changes to go into the same mail
