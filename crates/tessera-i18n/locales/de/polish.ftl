## Erster Start (Issue 23): die eigene Adresse bei der ersten Anmeldung
own-address-label = Ihre eigene E-Mail-Adresse
own-address-hint = Hierhin schickt Tessera Ihnen Hinweise auf neue Tickets. Die Absenderadresse des Helpdesks erreicht niemanden.
error-own-address-sender = Das ist die Absenderadresse des Helpdesks, nicht Ihre eigene. Bitte geben Sie die Adresse an, unter der Sie selbst E-Mails lesen.
error-own-address-local = Diese Adresse ist von außen nicht erreichbar. Bitte geben Sie die Adresse an, unter der Sie selbst E-Mails lesen.

## Checkliste der Einrichtung auf der Übersicht der Verwaltung
checklist-title = Einrichtung abschließen
checklist-intro = Damit Tessera zuverlässig arbeitet, fehlt noch Folgendes.
checklist-progress = { $done } von { $total } erledigt
checklist-done = erledigt
checklist-todo = offen
checklist-org-name = Name der Organisation
checklist-org-name-hint = Er steht im Portal und in jeder E-Mail.
checklist-sender = Absenderadresse
checklist-sender-hint = Eine Adresse Ihrer Domain, von der Tessera E-Mails verschickt.
checklist-delivery = E-Mail-Versand (SMTP)
checklist-delivery-hint = Ein SMTP-Server – oder bewusst „E-Mails als Dateien ablegen“.
checklist-time-zone = Zeitzone
checklist-time-zone-hint = In ihr zeigt Tessera alle Zeiten.
checklist-agent-address = Mitarbeitende mit eigener Adresse
checklist-agent-address-hint = Mindestens eine Person, die Hinweise auf neue Tickets bekommt.
checklist-inbound = E-Mail-Eingang
checklist-inbound-hint = Ein Postfach, aus dem Antworten per E-Mail zu den Tickets kommen.

## Einladungen
agents-invited = eingeladen
agents-is-invited = Diese Person ist eingeladen und hat noch kein Passwort gewählt.
agents-resend = Einladung erneut senden
agents-resend-for = Einladung an { $name } erneut senden
done-agent-resend = Die Einladung ist erneut verschickt; frühere Links gelten nicht mehr.
error-invitation-accepted = Diese Einladung ist schon angenommen.

## Anfragende: Status prüfen statt „nicht gefunden“, alle eigenen Tickets
status-expired-notice = Dieser Browser hat (nicht mehr) Zugang zu diesem Ticket. Mit Ticketnummer und E-Mail-Adresse kommen Sie wieder hinein.
my-tickets-link-ask = Oder einen Link zu allen Ihren Tickets anfordern.
my-tickets-link-title = Link zu allen meinen Tickets
my-tickets-link-intro = Wir schicken Ihnen einen Link an Ihre E-Mail-Adresse. Er zeigt alle Tickets, die Sie gestellt haben oder an denen Sie beteiligt sind.
my-tickets-link-submit = Link schicken
my-tickets-link-sent = Wenn es zu dieser Adresse Tickets gibt, ist ein Link unterwegs. Er gilt einmal und für kurze Zeit.
my-tickets-verified-title = Alle Tickets Ihrer E-Mail-Adresse
my-tickets-verified-none = Zu Ihrer Adresse gibt es keine Tickets.
my-tickets-collaborating = beteiligt
my-tickets-pages = Weitere Tickets
my-tickets-more = Ältere Tickets
my-tickets-browser-title = In diesem Browser geöffnet
mail-my-tickets-subject = Ihr Link zu allen Ihren Tickets bei { $org }
mail-my-tickets-body =
    Hallo { $name },

    Sie haben einen Link zu allen Ihren Tickets angefordert. Er gilt einmal und { $minutes } Minuten lang:
    { $link }

    Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.
mail-my-tickets-link = Meine Tickets ansehen

## Dateiauswahl: Einzahl
js-total-one = {"{"}count{"}"} Datei, zusammen {"{"}size{"}"}

## Beschreibungen der Anliegen
topic-description-de = Beschreibung (Deutsch)
topic-description-en = Beschreibung (Englisch)
topic-description-hint = Steht im Portal unter dem Anliegen, damit Anfragende das richtige wählen. Höchstens 500 Zeichen.
topic-descriptions-title = Was die Anliegen bedeuten
