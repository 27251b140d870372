# Mail authenticity: DKIM, SPF, DMARC.
mailauth-warning-held = Diese Nachricht gibt vor, von { $address } zu kommen, aber die Domain des Absenders bestätigt das nicht ({ $checks }): Sie kann gefälscht sein. Sie wird zurückgehalten – die anfragende Person sieht sie nicht, und sie ändert nichts am Ticket, bis jemand aus dem Team sie annimmt.
mailauth-warning-separate = Diese Nachricht gibt vor, von { $address } zu kommen, und antwortet auf Ticket #{ $number }, aber die Domain des Absenders bestätigt das nicht ({ $checks }): Sie kann gefälscht sein. Deshalb hat sie ein eigenes Ticket eröffnet, und es wurde keine Bestätigung verschickt.
mailauth-accept = Nachricht annehmen
mailauth-not-held = Diese Nachricht wird nicht (mehr) zurückgehalten.
done-accept-mail = Die Nachricht wurde angenommen und gehört jetzt zum Verlauf.
mailauth-title = Echtheit eingehender E-Mails
mailauth-hint = Antworten werden gegen die DKIM-, SPF- und DMARC-Einträge der Absender-Domain geprüft. Was soll mit einer Nachricht von der Adresse einer anfragenden Person geschehen, die diese Prüfung nicht besteht?
mailauth-policy = E-Mails, die die Prüfung nicht bestehen
mailauth-policy-hold = Mit Warnung am Ticket zurückhalten, bis jemand aus dem Team sie annimmt
mailauth-policy-separate = Mit Warnung ein eigenes Ticket dafür eröffnen
mailauth-policy-off = Nicht prüfen (nur, wenn Ihr Mailserver solche E-Mails schon abweist)
