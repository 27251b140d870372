# No mail loops: automatic mail and the hourly cap on mail in.
robots-entry-automatic = automatic reply
robots-entry-bulk = bulk or list mail
robots-entry-receipt = read receipt
robots-entry-capped = automatic: past the hourly limit of mail, nothing was sent because of it
robots-reason-stray-receipt = A read receipt for no ticket of this installation.
robots-alert-link = Open the ticket
robots-alert-ticket-subject = [#{ $number }] Mail loop stopped: more than { $cap } mails in an hour
robots-alert-ticket-body =
    Hello { $name },

    ticket { $number } ("{ $subject }") received more than { $cap } mails within an hour, the latest from { $address }. Usually two automatic responders are answering each other through { TRIM_STOP($org) }.

    Everything that arrives is kept on the ticket, but until the hour is over it causes no mail: no replies, confirmations or alerts. Please look at the ticket and, if needed, at the sender.

    { $link }
robots-alert-address-subject = Mail loop stopped: more than { $cap } mails in an hour from { $address }
robots-alert-address-body =
    Hello { $name },

    { $address } sent more than { $cap } mails within an hour that opened or joined tickets at { TRIM_STOP($org) }. Usually an automatic responder is answering mail from { TRIM_STOP($org) }.

    Everything that arrives is kept, but until the hour is over mail from this address causes no mail: no confirmations or alerts. Please look at the address's latest tickets.
