# Keine Mail-Schleifen: automatische E-Mails und die stündliche Grenze eingehender E-Mails.
robots-entry-automatic = automatische Antwort
robots-entry-bulk = Massen- oder Listen-E-Mail
robots-entry-receipt = Lesebestätigung
robots-entry-capped = automatisch: über der stündlichen Grenze, deshalb wurde nichts versandt
robots-reason-stray-receipt = Eine Lesebestätigung zu keinem Ticket dieser Installation.
robots-alert-link = Ticket öffnen
robots-alert-ticket-subject = [#{ $number }] Mail-Schleife angehalten: mehr als { $cap } E-Mails in einer Stunde
robots-alert-ticket-body =
    Hallo { $name },

    das Ticket { $number } („{ $subject }“) hat in einer Stunde mehr als { $cap } E-Mails erhalten, die letzte von { $address }. Meist antworten sich zwei automatische Beantworter gegenseitig über { TRIM_STOP($org) }.

    Alles, was ankommt, bleibt am Ticket erhalten, löst aber bis zum Ende der Stunde keine E-Mail aus: keine Antworten, Bestätigungen oder Benachrichtigungen. Bitte sehen Sie sich das Ticket und gegebenenfalls den Absender an.

    { $link }
robots-alert-address-subject = Mail-Schleife angehalten: mehr als { $cap } E-Mails in einer Stunde von { $address }
robots-alert-address-body =
    Hallo { $name },

    { $address } hat in einer Stunde mehr als { $cap } E-Mails geschickt, die bei { $org } Tickets eröffnet oder ergänzt haben. Meist antwortet ein automatischer Beantworter auf E-Mails von { TRIM_STOP($org) }.

    Alles, was ankommt, bleibt erhalten, aber bis zum Ende der Stunde löst E-Mail von dieser Adresse keine E-Mail aus: keine Bestätigungen oder Benachrichtigungen. Bitte sehen Sie sich die letzten Tickets dieser Adresse an.
