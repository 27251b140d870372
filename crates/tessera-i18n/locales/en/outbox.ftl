# Mail that did not go out is visible (issue 22): the ticket page, the outbox page, alerts.

event-mail-undelivered = recorded that mail to { $recipient } could not be delivered: { $reason }
# To the assignee or the department's agents; $actor is the address that could not be reached.
mail-alert-undelivered-subject = Not delivered [#{ $number }] { $subject }
mail-alert-undelivered-body =
    Mail about ticket { $number } from { $requester } could not be delivered to { TRIM_STOP($actor) }.
    The requester may not have their access link or your reply.

    The server's answer:
    { $message }

    { $link }

outbox-ticket-heading = Mail about this ticket
outbox-to = to { $recipients }
outbox-kind-confirmation = Confirmation
outbox-kind-reply = Reply
outbox-kind-alert = Alert
outbox-kind-other = Notice
outbox-state-queued = queued
outbox-state-retrying = retrying since { $since } ({ $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    }): { $reason }
outbox-state-refused = refused by the recipient's server: { $reason }
outbox-state-failed = not delivered after { $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    }: { $reason }
outbox-state-sent = sent { $when }

outbox-title = Outbox
outbox-intro = Mail Tessera queued: what waits, what is being retried, what could not be delivered and what was sent.
outbox-filter-status = Status
outbox-filter-all = all
outbox-filter-queued = queued
outbox-filter-retrying = retrying
outbox-filter-failed = not delivered
outbox-filter-sent = sent
outbox-filter-recipient = Recipient
outbox-filter-ticket = Ticket
outbox-filter-apply = Show
outbox-col-queued = Queued
outbox-col-ticket = Ticket
outbox-col-recipients = Recipients
outbox-col-kind = Kind
outbox-col-state = Status
outbox-retry = Retry now
outbox-retry-failed = Retry all undelivered mail now
outbox-retried = The mail is due now.
outbox-retried-all = { $count ->
        [one] One mail is due now.
       *[other] { $count } mails are due now.
    }
outbox-not-retryable = This mail was sent already or no longer exists.
outbox-empty = No mail matches.
outbox-older = Older mail
