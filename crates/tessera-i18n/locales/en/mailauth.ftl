# Mail authenticity: DKIM, SPF, DMARC.
mailauth-warning-held = This message claims to come from { $address }, but the sender's domain does not confirm it ({ $checks }): it may be forged. It is held — the requester does not see it and it changes nothing on the ticket until an agent accepts it.
mailauth-warning-separate = This message claims to come from { $address } and answers ticket #{ $number }, but the sender's domain does not confirm it ({ $checks }): it may be forged, so it opened a ticket of its own and no confirmation was sent.
mailauth-accept = Accept the message
mailauth-not-held = This message is not held (any more).
done-accept-mail = The message has been accepted and is now part of the conversation.
mailauth-title = Authenticity of incoming mail
mailauth-hint = Replies are checked against the sender domain's DKIM, SPF and DMARC records. What should happen to a message from a requester's address that fails these checks?
mailauth-policy = Mail that fails the checks
mailauth-policy-hold = Hold it on the ticket, with a warning, until an agent accepts it
mailauth-policy-separate = Open a separate ticket for it, with a warning
mailauth-policy-off = Don't check (only if your mail server already rejects such mail)
