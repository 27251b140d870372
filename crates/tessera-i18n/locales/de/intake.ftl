# Tickets sicher eröffnen: Grenzen, Prüfaufgabe, Bestätigung.

## Die Bestätigungsmail: Die Adresse ist noch nicht bestätigt, also wiederholt sie nur den Betreff.
intake-mail-received-body =
    Hallo,

    wir haben eine Anfrage erhalten, die mit dieser E-Mail-Adresse gesendet wurde, und unter der Ticketnummer { $number } erfasst: „{ $subject }“.

    Sie können sie hier jederzeit online einsehen und ergänzen:
    { $link }
intake-mail-confirm-subject = [#{ $number }] Bitte bestätigen Sie Ihre Anfrage
intake-mail-confirm-body =
    Hallo,

    jemand hat uns mit dieser E-Mail-Adresse gebeten, eine Anfrage zu eröffnen. Bitte bestätigen Sie, dass Sie es waren, indem Sie diesen Link öffnen; erst dann erreicht sie unser Team:
    { $link }

    Wenn Sie keine Anfrage gesendet haben, ignorieren Sie diese Nachricht bitte. Sie hören dann nichts mehr von uns dazu.

    Ihr Team von { $org }
intake-mail-confirm-link = Anfrage bestätigen

## Grenzen
intake-too-many = Zu viele Anfragen von Ihrer Verbindung oder für diese Adresse in kurzer Zeit. Bitte versuchen Sie es in { $minutes } Min. noch einmal. Ihre Eingaben stehen unten noch.
intake-too-many-reply = Sie haben in kurzer Zeit viele Nachrichten gesendet. Bitte versuchen Sie es in { $minutes } Min. noch einmal. Ihr Text steht unten noch.
intake-error-quota = Das heutige Kontingent für Anhänge von dieser Adresse ist aufgebraucht. Bitte senden Sie weniger oder kleinere Dateien oder versuchen Sie es morgen wieder.
intake-not-sent = Ihre Anfrage konnte nicht gesendet werden. Bitte prüfen Sie Ihre Eingaben und senden Sie sie noch einmal.

## Honigtopf und Prüfaufgabe
intake-honeypot-label = Dieses Feld bitte leer lassen
intake-challenge-missing = Bitte senden Sie das Formular noch einmal: Die automatische Prüfung gegen Spam fehlte.
intake-challenge-invalid = Bitte senden Sie das Formular noch einmal: Die automatische Prüfung gegen Spam passte nicht.
intake-challenge-expired = Dieses Formular war zu lange geöffnet. Bitte senden Sie es noch einmal.
intake-challenge-used = Dieses Formular wurde schon gesendet. Bitte senden Sie es noch einmal.
intake-challenge-wait = Die automatische Prüfung gegen Spam ist noch nicht fertig. Bitte warten Sie einige Sekunden und senden Sie das Formular noch einmal.
intake-challenge-noscript = JavaScript ist ausgeschaltet: Bitte warten Sie nach dem Öffnen dieser Seite { $seconds } Sekunden, bevor Sie das Formular senden (das schützt uns ohne Cookies und fremde Dienste vor Spam).
intake-challenge-working = Prüfung gegen Spam läuft …

## Erst bestätigen
intake-confirm-sent = Wir haben einen Link an Ihre E-Mail-Adresse gesendet. Bitte öffnen Sie ihn, um Ihre Anfrage zu bestätigen; erst dann erreicht sie unser Team.
intake-unconfirmed = unbestätigt
intake-unconfirmed-hint = Die Adresse ist noch nicht bestätigt; niemand wurde benachrichtigt.

## Einstellungen
settings-intake = Spamschutz
settings-intake-challenge = Rechenaufgabe bei neuen Tickets
settings-intake-challenge-off = Aus
settings-intake-challenge-auto = Automatisch: nur, solange viele Tickets auf einmal eingehen
settings-intake-challenge-always = Immer
settings-intake-challenge-hint = Der Browser der Besucher löst eine kleine Rechenaufgabe; keine Cookies, kein fremder Dienst. Ohne JavaScript kann das Formular nach kurzer Wartezeit gesendet werden.
settings-intake-confirm-first = Adresse zuerst bestätigen
settings-intake-confirm-first-hint = Neue Tickets aus dem Portal erreichen das Team erst, wenn die anfragende Person den zugesandten Link öffnet. Die Mail enthält dann nur diesen Link.
settings-intake-quota = Anhänge pro anfragender Person und Tag (MB)
settings-intake-quota-hint = 0 heißt: keine Grenze.
intake-error-quota-setting = Bitte geben Sie eine Zahl von 0 bis 100000 Megabyte ein.
