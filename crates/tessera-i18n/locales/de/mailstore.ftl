# Speichern, was ankommt: ein voller oder fehlerhafter Datenträger, und E-Mails, die mehrfach ankommen.

mailstore-upload-unavailable = Der Server kann gerade keine Dateien speichern (sein Speicher ist voll oder gestört). Es wurde nichts gespeichert – bitte versuchen Sie es später noch einmal; Ihr Text bleibt unten erhalten.
mailstore-form-unavailable = Der Server kann Ihre Anfrage gerade nicht speichern (sein Speicher ist voll oder gestört). Es wurde nichts gespeichert – bitte senden Sie sie in ein paar Minuten noch einmal; Ihre Eingaben bleiben unten erhalten.
event-mail-resent = hat dieselbe E-Mail (Message-ID { $message_id }) noch einmal mit anderem Text empfangen: Der nächste Eintrag ist die erneut gesendete Fassung
