## Agents open tickets; the reply composer (issue 23)
compose-new-ticket = New ticket
compose-new-title = New ticket for a requester
compose-new-intro = For requests by phone, in person or by chat. The ticket belongs to the requester; you write its first entry.
compose-requester = Requester
compose-requester-hint = Type a name or address: known contacts are suggested. A new address creates a new contact.
compose-contact-suggestions = Suggestions
compose-contact-none = No known contact – a new one is created from name and address.
compose-lang = Requester's language
compose-lang-de = German
compose-lang-en = English
compose-ticket = Ticket
compose-department-default = as the help topic says
compose-assignee = Assign to
compose-assignee-none = nobody (or as the help topic says)
compose-assignee-agents = Agents
compose-assignee-teams = Teams
compose-channel = Came in by
compose-channel-phone = phone
compose-channel-walk_in = in person
compose-channel-chat = chat
compose-channel-other = another way
compose-first-as = First entry
compose-first-reply = Reply to the requester
compose-first-note = Internal note (agents only)
compose-body = Text
compose-mail-requester = The requester gets a mail with the link to the ticket
compose-mail-requester-hint = For a reply the mail carries your text; for a note only that the ticket was opened.
compose-submit = Open ticket
done-opened-for = The ticket is open.
compose-error-department = Please choose a department you work in.
compose-error-channel = Please choose how the request came in.
compose-error-copies = Please enter valid email addresses, separated by commas.
compose-error-copies-many = Please enter at most 5 addresses for copies.
compose-mail-opened-reply-body =
    Hello { $name },

    { $agent } opened ticket { $number } “{ $subject }” for you and writes:

    { $message }

    See the whole conversation here, where you can also reply:
    { $link }

    { $org }
compose-mail-opened-body =
    Hello { $name },

    { $agent } opened ticket { $number } “{ $subject }” for your request.

    See how it stands at any time, and add to it, here:
    { $link }

    { $org }
compose-mail-copy-body =
    Hello,

    { $agent } replied to ticket { $number } “{ $subject }” of { $requester } and sent you a copy:

    { $message }

    { $org }
event-opened-for = opened the ticket for { $requester } ({ $source ->
        [phone] request by phone
        [walk_in] request in person
        [chat] request by chat
       *[other] request another way
    })
event-copies-sent = also sent the reply as a copy – Cc: { $cc } · Bcc: { $bcc }
compose-toolbar = Formatting
compose-bold = Bold (Ctrl+B)
compose-italic = Italic (Ctrl+I)
compose-list = List
compose-link = Link (Ctrl+K)
compose-quote = Quote
compose-link-text = link text
compose-write = Write
compose-preview = Preview
compose-preview-empty = Nothing written yet.
compose-preview-failed = The preview could not be loaded. Your text is unchanged.
compose-canned-filter = Search canned responses
compose-canned-none = No canned response matches.
compose-copies = Copy to (this reply only)
compose-cc = Cc
compose-bcc = Bcc
compose-copies-hint = At most 5 addresses, separated by commas. Copies carry no link to the ticket; nobody else sees Bcc addresses.
compose-draft-restored = Your unsent draft was restored.
compose-draft-discard = Discard draft
compose-image-added = The image “{ $name }” is sent as an attachment of this reply.
