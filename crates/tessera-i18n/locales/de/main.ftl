# Tessera – deutsche Texte. Schlüssel und Platzhalter müssen in en/main.ftl gleich heißen.

## Rahmen und Navigation
nav-skip = Zum Inhalt springen
nav-language = Sprache
nav-home = Startseite
nav-open = Neues Ticket eröffnen
nav-status = Ticket-Status prüfen
nav-my-tickets = Meine Tickets
sign-out = Abmelden
cancel = Abbrechen

## Startseite
home-title = Willkommen beim Support
home-intro = Hier können Sie eine Anfrage an unser Team stellen und jederzeit sehen, wie weit sie ist.
home-open-title = Neues Ticket eröffnen
home-open-text = Beschreiben Sie Ihr Anliegen und fügen Sie Dateien wie Skizzen, Word-Dateien oder PDFs an.
home-status-title = Ticket-Status prüfen
home-status-text = Mit Ticketnummer und E-Mail-Adresse sehen Sie den Verlauf Ihrer Anfrage und können antworten.

## Ticket eröffnen
open-title = Neues Ticket eröffnen
open-intro = Bitte füllen Sie das Formular aus. Je genauer Sie Ihr Anliegen beschreiben, desto schneller können wir helfen. Pflichtfelder sind mit * markiert.
open-contact = Ihre Kontaktdaten
open-details = Ihr Anliegen
open-submit = Ticket eröffnen
field-email = E-Mail-Adresse
field-email-hint = An diese Adresse schicken wir die Bestätigung mit einem Link zu Ihrem Ticket.
field-name = Vollständiger Name
field-topic = Hilfethema
field-topic-choose = – Bitte wählen –
field-subject = Betreff
field-body = Beschreibung
field-body-hint = Sie können einfachen Text schreiben. **fett**, *kursiv*, Listen mit „- “ und Links werden formatiert.
field-attachments = Anhänge
field-attachments-hint = Mehrere Dateien möglich, zusammen höchstens { $max }.
field-reply = Ihre Antwort
dropzone-before = Ziehen Sie Dateien hierher oder
dropzone-choose = wählen Sie sie aus
files-choose-again = Bitte wählen Sie Ihre Dateien noch einmal aus – aus Sicherheitsgründen kann der Browser sie nicht behalten.
form-has-errors = Bitte korrigieren Sie die markierten Angaben.

## Hinweise für das Hochladen (Platzhalter in geschweiften Klammern setzt das Skript ein)
js-too-large = Die Dateien sind zusammen größer als {"{"}max{"}"}. Bitte entfernen Sie einige.
js-bad-type = Dieser Dateityp ist nicht erlaubt: {"{"}name{"}"}
js-remove = {"{"}name{"}"} entfernen
js-total = {"{"}count{"}"} Datei(en), zusammen {"{"}size{"}"}
js-uploading = Wird hochgeladen … {"{"}percent{"}"} %
js-failed = Das Hochladen ist fehlgeschlagen. Bitte versuchen Sie es noch einmal.

## Fehlermeldungen zu Feldern
error-required = Bitte füllen Sie dieses Feld aus.
error-too-long = Dieser Text ist zu lang.
error-bad-characters = Dieser Text enthält unzulässige Steuerzeichen.
error-email = Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.
error-topic = Bitte wählen Sie ein Hilfethema.
error-attachments-too-large = Die Anhänge sind zusammen zu groß. Es wurde nichts gespeichert – bitte wählen Sie kleinere oder weniger Dateien.
error-attachments-too-many = Bitte hängen Sie höchstens 20 Dateien an.
error-attachment-type = Mindestens eine Datei hat einen nicht erlaubten Dateityp.
error-csrf = Das Formular war zu lange geöffnet oder stammt nicht von dieser Seite. Bitte senden Sie es noch einmal ab.

## Fehlerseiten
error-status-code = Fehlercode
error-not-found = Nicht gefunden
error-not-found-text = Diese Seite gibt es nicht, oder Sie haben keinen Zugriff darauf.
error-forbidden = Nicht erlaubt
error-forbidden-text = Diese Anfrage wurde aus Sicherheitsgründen abgelehnt. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.
error-too-many = Zu viele Versuche
error-too-many-text = Bitte warten Sie eine Viertelstunde und versuchen Sie es dann noch einmal.
error-internal = Etwas ist schiefgegangen
error-internal-text = Bei uns ist ein Fehler aufgetreten. Ihre Angaben sind nicht verloren gegangen, wenn Sie eine Bestätigung gesehen haben. Bitte versuchen Sie es gleich noch einmal.

## Status prüfen und Zugang
status-title = Ticket-Status prüfen
status-intro = Geben Sie die Ticketnummer aus der Bestätigungs-E-Mail und Ihre E-Mail-Adresse ein.
status-submit = Ticket anzeigen
status-failed = Wir haben kein Ticket mit dieser Nummer und E-Mail-Adresse gefunden. Bitte prüfen Sie Ihre Angaben.
field-number = Ticketnummer
field-number-hint = Die sechsstellige Nummer steht im Betreff der Bestätigungs-E-Mail, z. B. [#123456].
access-invalid-title = Dieser Link funktioniert nicht mehr
access-invalid-text = Der Link ist ungültig oder wurde zurückgezogen. Mit Ticketnummer und E-Mail-Adresse kommen Sie trotzdem zu Ihrem Ticket.
tickets-none = In dieser Sitzung sind noch keine Tickets geöffnet.
tickets-intro = Diese Tickets haben Sie in diesem Browser geöffnet.

## Ticketseite
receipt-title = Ihr Ticket #{ $number } wurde eröffnet.
receipt-text = Eine Bestätigung mit einem Link zu diesem Ticket ist unterwegs an { $email }. Unten sehen Sie alles, was Sie uns geschickt haben.
reply-saved = Ihre Antwort wurde gespeichert.
reply-title = Antworten
reply-submit = Antwort senden
meta-status = Status
meta-department = Abteilung
meta-assignee = Zugewiesen an
meta-unassigned = Noch niemandem zugewiesen
meta-requester = Erstellt von
meta-created = Erstellt am
meta-attachments = Anhänge
thread-title = Verlauf
thread-agent = Team
status-open = Offen
status-resolved = Erledigt
status-closed = Geschlossen

## Erster Start
seed-department = Support
seed-topic-general = Allgemeine Anfrage
seed-topic-idea = Idee einbringen
seed-topic-website = Ein Problem melden / HP

## E-Mails
mail-view-ticket = Ticket ansehen
mail-opened-subject = [#{ $number }] { $subject }
mail-opened-body =
    Hallo { $name },

    vielen Dank für Ihre Anfrage. Wir haben sie unter der Ticketnummer { $number } erfasst und melden uns so bald wie möglich.

    Hilfethema: { $topic }
    Betreff: { $subject }

    Ihre Nachricht:
    { $message }

    Den Ticketverlauf können Sie hier jederzeit online einsehen und ergänzen:
    { $link }

    Sie können auch einfach auf diese E-Mail antworten.

    Ihr Team von { $org }
