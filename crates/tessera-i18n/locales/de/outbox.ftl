# Nicht zugestellte E-Mail wird sichtbar (Issue 22): Ticketseite, Postausgang, Hinweise.

event-mail-undelivered = hat vermerkt, dass eine E-Mail an { $recipient } nicht zugestellt werden konnte: { $reason }
# An die zuständige Person oder die Mitarbeitenden der Abteilung; $actor ist die nicht erreichte Adresse.
mail-alert-undelivered-subject = Nicht zugestellt [#{ $number }] { $subject }
mail-alert-undelivered-body =
    Eine E-Mail zum Ticket { $number } von { $requester } konnte nicht an { $actor } zugestellt werden.
    Möglicherweise fehlt der anfragenden Person ihr Zugangslink oder Ihre Antwort.

    Die Antwort des Servers:
    { $message }

    { $link }

outbox-ticket-heading = E-Mails zu diesem Ticket
outbox-to = an { $recipients }
outbox-kind-confirmation = Bestätigung
outbox-kind-reply = Antwort
outbox-kind-alert = Hinweis
outbox-kind-other = Benachrichtigung
outbox-state-queued = wartet auf Versand
outbox-state-retrying = wird seit { $since } erneut versucht ({ $attempts ->
        [one] ein Versuch
       *[other] { $attempts } Versuche
    }): { $reason }
outbox-state-refused = vom Server des Empfängers abgelehnt: { $reason }
outbox-state-failed = nach { $attempts ->
        [one] einem Versuch
       *[other] { $attempts } Versuchen
    } nicht zugestellt: { $reason }
outbox-state-sent = versandt { $when }

outbox-title = Postausgang
outbox-intro = E-Mails, die Tessera verschickt: was wartet, was erneut versucht wird, was nicht zugestellt werden konnte und was versandt ist.
outbox-filter-status = Status
outbox-filter-all = alle
outbox-filter-queued = wartet
outbox-filter-retrying = wird wiederholt
outbox-filter-failed = nicht zugestellt
outbox-filter-sent = versandt
outbox-filter-recipient = Empfänger
outbox-filter-ticket = Ticket
outbox-filter-apply = Anzeigen
outbox-col-queued = Eingereiht
outbox-col-ticket = Ticket
outbox-col-recipients = Empfänger
outbox-col-kind = Art
outbox-col-state = Status
outbox-retry = Jetzt erneut versuchen
outbox-retry-failed = Alle nicht zugestellten E-Mails jetzt erneut versuchen
outbox-retried = Die E-Mail wird jetzt versandt.
outbox-retried-all = { $count ->
        [one] Eine E-Mail wird jetzt versandt.
       *[other] { $count } E-Mails werden jetzt versandt.
    }
outbox-not-retryable = Diese E-Mail ist bereits versandt oder existiert nicht mehr.
outbox-empty = Keine E-Mail entspricht der Auswahl.
outbox-older = Ältere E-Mails
