# Wer bei einem Ticket was erfährt (issue 23): Texte je Rolle, zusammengefasste Hinweise,
# die Eingangsbestätigung und die Hinweise an Mitarbeitende.

## Hinweise an Anfragende und Beteiligte ({ $changes }: eine Zeile je Änderung)
notice-body-requester =
    Hallo { $name },

    es gibt Neues zu Ihrem Ticket { $number } „{ $subject }“:

    { $changes }

    Den Verlauf sehen Sie hier:
    { $link }

    Ihr Team von { $org }
notice-body-collaborator =
    Hallo { $name },

    es gibt Neues zu einem Ticket, an dem Sie beteiligt sind: { $number } „{ $subject }“ von { TRIM_STOP($requester) }.

    { $changes }

    Den Verlauf sehen Sie hier:
    { $link }

    Ihr Team von { $org }
notice-change-agent = { $agent } kümmert sich jetzt darum.
notice-change-resolved = Das Ticket ist jetzt als erledigt markiert. Falls noch etwas fehlt, antworten Sie einfach über den Link unten.
notice-change-closed = Das Ticket ist jetzt geschlossen.
notice-change-reopened = Das Ticket ist wieder geöffnet.
notice-also = Außerdem:

## Antworten an Beteiligte (an Anfragende: mail-reply-body)
notice-reply-collaborator-body =
    Hallo { $name },

    { $agent } hat auf ein Ticket geantwortet, an dem Sie beteiligt sind: { $number } „{ $subject }“ von { TRIM_STOP($requester) }.

    { $message }

    { $changes }Den ganzen Verlauf sehen Sie hier, dort können Sie auch antworten:
    { $link }

    Ihr Team von { $org }

## Die Eingangsbestätigung (nach intake-mail-received-body)
notice-receipt-files = Diese Anhänge haben wir erhalten:
notice-receipt-reply = Sie können auch einfach auf diese E-Mail antworten.
notice-receipt-ignore = Wenn Sie diese Anfrage nicht gesendet haben, können Sie diese Nachricht ignorieren.
notice-signature = Ihr Team von { $org }

## Hinweise an Mitarbeitende: einem Team zugewiesen (einer Person: mail-alert-assigned-*)
mail-alert-assigned-team-subject = Ihrem Team { $team } zugewiesen [#{ $number }] { $subject }
mail-alert-assigned-team-body =
    { $actor } hat das Ticket { $number } von { $requester } Ihrem Team { TRIM_STOP($team) } zugewiesen. Wer es bearbeitet, übernimmt es im Ticket.

    { $link }

## Verwaltung: eine wartende Benachrichtigung im Postausgang
notice-state-waiting = wartet bis { $when } auf weitere Änderungen, die in dieselbe E-Mail kommen
