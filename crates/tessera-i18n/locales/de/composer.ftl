## Mitarbeitende eröffnen Tickets; der Editor für Antworten (issue 23)
compose-new-ticket = Neues Ticket
compose-new-title = Neues Ticket für eine anfragende Person
compose-new-intro = Für Anfragen per Telefon, vor Ort oder im Chat. Das Ticket gehört der anfragenden Person, Sie schreiben den ersten Eintrag.
compose-requester = Anfragende Person
compose-requester-hint = Tippen Sie Name oder Adresse: bekannte Kontakte werden vorgeschlagen. Eine neue Adresse legt einen neuen Kontakt an.
compose-contact-suggestions = Vorschläge
compose-contact-none = Kein bekannter Kontakt – mit Name und Adresse wird ein neuer angelegt.
compose-lang = Sprache der anfragenden Person
compose-lang-de = Deutsch
compose-lang-en = Englisch
compose-ticket = Ticket
compose-department-default = wie beim Hilfethema
compose-assignee = Zuweisen an
compose-assignee-none = niemand (oder wie beim Hilfethema)
compose-assignee-agents = Mitarbeitende
compose-assignee-teams = Teams
compose-channel = Eingegangen per
compose-channel-phone = Telefon
compose-channel-walk_in = persönlich vor Ort
compose-channel-chat = Chat
compose-channel-other = anderem Weg
compose-first-as = Erster Eintrag
compose-first-reply = Antwort an die anfragende Person
compose-first-note = Interne Notiz (nur für Mitarbeitende)
compose-body = Text
compose-mail-requester = Die anfragende Person bekommt eine E-Mail mit dem Link zum Ticket
compose-mail-requester-hint = Bei einer Antwort steht Ihr Text in der E-Mail, bei einer Notiz nur, dass das Ticket eröffnet wurde.
compose-submit = Ticket eröffnen
done-opened-for = Das Ticket ist eröffnet.
compose-error-department = Bitte wählen Sie eine Abteilung, in der Sie arbeiten.
compose-error-channel = Bitte wählen Sie, wie die Anfrage eingegangen ist.
compose-error-copies = Bitte geben Sie gültige E-Mail-Adressen ein, getrennt durch Kommas.
compose-error-copies-many = Bitte geben Sie höchstens 5 Adressen für Kopien an.
compose-mail-opened-reply-body =
    Hallo { $name },

    { $agent } hat für Sie das Ticket { $number } „{ $subject }“ eröffnet und schreibt:

    { $message }

    Den ganzen Verlauf sehen Sie hier, dort können Sie auch antworten:
    { $link }

    { $org }
compose-mail-opened-body =
    Hallo { $name },

    { $agent } hat für Ihr Anliegen das Ticket { $number } „{ $subject }“ eröffnet.

    Hier sehen Sie jederzeit, wie es steht, und können etwas ergänzen:
    { $link }

    { $org }
compose-mail-copy-body =
    Guten Tag,

    { $agent } hat auf das Ticket { $number } „{ $subject }“ von { $requester } geantwortet und Ihnen eine Kopie geschickt:

    { $message }

    { $org }
event-opened-for = hat das Ticket für { $requester } eröffnet ({ $source ->
        [phone] Anfrage per Telefon
        [walk_in] Anfrage vor Ort
        [chat] Anfrage im Chat
       *[other] Anfrage auf anderem Weg
    })
event-copies-sent = hat die Antwort auch in Kopie geschickt – Cc: { $cc } · Bcc: { $bcc }
compose-toolbar = Formatierung
compose-bold = Fett (Strg+B)
compose-italic = Kursiv (Strg+I)
compose-list = Liste
compose-link = Link (Strg+K)
compose-quote = Zitat
compose-link-text = Linktext
compose-write = Schreiben
compose-preview = Vorschau
compose-preview-empty = Noch nichts geschrieben.
compose-preview-failed = Die Vorschau konnte nicht geladen werden. Ihr Text ist unverändert.
compose-canned-filter = Textbausteine durchsuchen
compose-canned-none = Kein Textbaustein passt.
compose-copies = Kopie an (nur diese Antwort)
compose-cc = Cc
compose-bcc = Bcc
compose-copies-hint = Höchstens 5 Adressen, durch Kommas getrennt. Kopien enthalten keinen Link zum Ticket; Bcc-Adressen sieht niemand sonst.
compose-draft-restored = Ihr ungesendeter Entwurf wurde wiederhergestellt.
compose-draft-discard = Entwurf verwerfen
compose-image-added = Das Bild „{ $name }“ wird als Anhang dieser Antwort gesendet.
