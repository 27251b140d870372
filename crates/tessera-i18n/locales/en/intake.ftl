# Opening tickets safely: limits, challenge, confirmation.

## The confirmation mail: the address is not verified yet, so it repeats only the subject.
intake-mail-received-body =
    Hello,

    we have received a request sent with this email address and recorded it under ticket number { $number }: "{ $subject }".

    You can view and add to it online at any time:
    { $link }
intake-mail-confirm-subject = [#{ $number }] Please confirm your request
intake-mail-confirm-body =
    Hello,

    someone asked us, with this email address, to open a request. Please confirm that it was you by opening this link; only then will it reach our team:
    { $link }

    If you did not send a request, please ignore this message. You will not hear from us again about it.

    Your team at { $org }
intake-mail-confirm-link = Confirm request

## Limits
intake-too-many = Too many requests from your connection or for this address in a short time. Please try again in { $minutes } min. What you typed is kept below.
intake-too-many-reply = You have sent many messages in a short time. Please try again in { $minutes } min. Your text is kept below.
intake-error-quota = Today's allowance for attachments from this address is used up. Please send fewer or smaller files, or try again tomorrow.
intake-not-sent = Your request could not be sent. Please check your entries and send it again.

## Honeypot and challenge
intake-honeypot-label = Leave this field empty
intake-challenge-missing = Please send the form again: the automatic check against spam was missing.
intake-challenge-invalid = Please send the form again: the automatic check against spam did not match.
intake-challenge-expired = This form was open for too long. Please send it again.
intake-challenge-used = This form was sent already. Please send it again.
intake-challenge-wait = The automatic check against spam is not finished yet. Please wait a few seconds and send the form again.
intake-challenge-noscript = JavaScript is off: please wait { $seconds } seconds after opening this page before sending the form (this protects us against spam without cookies or outside services).
intake-challenge-working = Checking against spam…

## Confirm first
intake-confirm-sent = We have sent a link to your email address. Please open it to confirm your request; only then will it reach our team.
intake-unconfirmed = unconfirmed
intake-unconfirmed-hint = The requester has not yet confirmed the address; nobody was alerted.

## Settings
settings-intake = Spam protection
settings-intake-challenge = Proof-of-work check on new tickets
settings-intake-challenge-off = Off
settings-intake-challenge-auto = Automatic: only while many tickets arrive at once
settings-intake-challenge-always = Always
settings-intake-challenge-hint = The visitor's browser solves a small computing task; no cookies, no outside service. Without JavaScript the form can be sent after a short wait.
settings-intake-confirm-first = Confirm the address first
settings-intake-confirm-first-hint = New tickets from the portal reach the team only once the requester opens the link mailed to them. The mail then carries only that link.
settings-intake-quota = Attachments per requester and day (MB)
settings-intake-quota-hint = 0 means no limit.
intake-error-quota-setting = Please enter a number of megabytes from 0 to 100000.
