# Sessions, passwords and access links.

## Passwords that are too easy to guess (checked against lists shipped with Tessera).
error-password-common = This password is on lists of common or leaked passwords, so attackers try it first. Please choose another one; several unrelated words are easy to remember and hard to guess.
error-password-pattern = This password is a simple pattern (repeated characters, a sequence like 1234 or abcd, a row of keys, a year or a date), so it is easy to guess. Several unrelated words are safer.
error-password-word = A single word or name, even with digits added, is easy to guess. Use several unrelated words.
error-password-personal = The password must not be made of your name, user name or email address: attackers try those first.
error-password-weak = This password is too easy to guess. Make it longer, ideally several unrelated words.

## An access link that expired (access_link_days_after_close) and its renewal by mail.
access-expired-title = This link has expired
access-expired-text = Links to a ticket work only for a while after the ticket was closed. Enter your email address and we will send you a new link.
access-expired-hint = The address with which you take part in this ticket.
access-expired-submit = Send a new link
access-renewed = Thank you. If the address belongs to this ticket, we have just sent a new link to it.
