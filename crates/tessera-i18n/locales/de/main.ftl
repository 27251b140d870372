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
error-unavailable = Bitte versuchen Sie es gleich noch einmal
error-unavailable-text = Tessera kann gerade keine Daten speichern oder laden: Die Datenbank oder der Datenträger ist ausgelastet, voll oder nicht erreichbar. Wenn Sie keine Bestätigung gesehen haben, senden Sie Ihre Anfrage bitte in einem Moment noch einmal.
error-conflict = Inzwischen geändert
error-conflict-text = Jemand anderes hat dies inzwischen geändert. Bitte laden Sie die Seite neu, prüfen Sie die Änderungen und versuchen Sie es noch einmal.
error-invalid = Bitte prüfen Sie Ihre Angaben
error-invalid-text = Die Anfrage enthält Werte, die sich nicht verwenden lassen:
error-not-permitted = Nicht erlaubt
error-not-permitted-text = Sie dürfen dies sehen, aber Ihre Rolle erlaubt diese Änderung nicht. Wenden Sie sich an eine Administratorin oder einen Administrator, wenn Sie sie brauchen.

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

## Mitarbeiterbereich: Anmeldung
nav-agent-login = Anmeldung für Mitarbeitende
agent-portal-link = Zum Kundenportal
agent-nav = Mitarbeiterbereich
agent-queues = Warteschlangen
login-title = Anmeldung für Mitarbeitende
login-submit = Anmelden
login-failed = Benutzername oder Passwort stimmen nicht.
field-username = Benutzername oder E-Mail-Adresse
field-password = Passwort
password-title = Passwort ändern
password-forced = Bitte legen Sie vor dem ersten Arbeiten ein eigenes Passwort fest.
password-hint = Mindestens { $min } Zeichen. Ein Satz aus mehreren Wörtern ist gut zu merken und schwer zu erraten.
password-submit = Passwort speichern
field-password-current = Aktuelles Passwort
field-password-new = Neues Passwort
field-password-repeat = Neues Passwort wiederholen
error-password-wrong = Das aktuelle Passwort stimmt nicht.
error-password-short = Das neue Passwort ist zu kurz.
error-password-same = Das neue Passwort muss sich vom alten unterscheiden.
error-password-mismatch = Die beiden neuen Passwörter stimmen nicht überein.

## Warteschlangen
queue-open = Offen
queue-answered = Beantwortet
queue-mine = Meine Tickets
queue-teams = Meine Teams
queue-unassigned = Nicht zugewiesen
queue-overdue = Überfällig
queue-closed = Geschlossen
queue-all = Alle
queue-empty = Hier ist gerade nichts zu tun.
filter-any = – alle –
filter-sort = Sortieren nach
filter-dir = Reihenfolge
filter-dir-default = Standard
filter-dir-desc = Absteigend
filter-dir-asc = Aufsteigend
filter-apply = Anwenden
sort-updated = Letzte Aktivität
sort-number = Ticketnummer
sort-due = Fälligkeit
sort-priority = Priorität
col-number = Nummer
col-activity = Letzte Aktivität
col-priority = Priorität
unseen = Neue Aktivität
bulk-select = Auswählen
bulk-select-one = Ticket #{ $number } auswählen
bulk-label = Ausgewählte Tickets
bulk-choose = – Aktion wählen –
bulk-apply = Ausführen
pager = Seiten
pager-first = Erste Seite
pager-next = Nächste Seite
priority-low = Niedrig
priority-normal = Normal
priority-high = Hoch
priority-emergency = Notfall

## Ticket im Mitarbeiterbereich
presence = Gerade ebenfalls geöffnet von: { $names }
entry-message = Nachricht
entry-reply = Antwort
entry-note = Interne Notiz
entry-event = Ereignis
agent-reply-title = Antworten
agent-reply-to = Antwort an { $name } und alle Beteiligten
agent-reply-submit = Antwort senden
reply-status = Status danach
reply-status-keep = – unverändert –
stale-title = Inzwischen hat jemand anderes geschrieben.
stale-text = Bitte lesen Sie die neuen Einträge oben. Ihr Text ist erhalten; senden Sie ihn erneut, wenn er noch passt.
stale-send = Trotzdem senden
note-title = Interne Notiz
note-label = Notiz (nur für Mitarbeitende sichtbar)
note-hint = Anfragende und Beteiligte sehen Notizen nie.
note-alert = Zuständige Person per E-Mail benachrichtigen
note-submit = Notiz speichern
view-only = Sie können dieses Ticket nur ansehen.
panel-details = Details
panel-assignment = Zuständigkeit
panel-state = Status und Priorität
panel-collaborators = Beteiligte
panel-other-tickets = Weitere Tickets der anfragenden Person
collaborators-none = Noch keine weiteren Beteiligten.
other-tickets-none = Keine weiteren Tickets.
collaborator-remove = { $name } entfernen
meta-due = Fällig
action-claim = Übernehmen
action-release = Abgeben
action-assign = Zuweisen
action-assign-agent = An Mitarbeiter/in
action-assign-team = An Team
action-transfer = In Abteilung verschieben
action-transfer-submit = Verschieben
transfer-comment = Kommentar zur Übergabe
action-save = Speichern
action-close = Schließen
action-remove = Entfernen
action-add-collaborator = Beteiligte hinzufügen
done-reply = Ihre Antwort wurde gespeichert und wird verschickt.
done-note = Die Notiz wurde gespeichert.
done-assign = Das Ticket wurde zugewiesen.
done-claim = Sie haben das Ticket übernommen.
done-release = Sie haben das Ticket abgegeben.
done-transfer = Das Ticket wurde verschoben.
done-status = Der Status wurde geändert.
done-priority = Die Priorität wurde geändert.
done-due = Die Fälligkeit wurde gespeichert.
done-collaborator-add = Die Person wurde hinzugefügt und per E-Mail informiert.
done-collaborator-remove = Die Person wurde entfernt.
done-password = Ihr neues Passwort ist gespeichert.
done-bulk = Die ausgewählten Tickets wurden geändert.
done-bulk-nothing = Bitte wählen Sie Tickets und eine Aktion aus.
error-assignee = Bitte wählen Sie eine Person oder ein Team.
error-department = Bitte wählen Sie eine Abteilung.
error-status = Bitte wählen Sie einen Status.
error-priority = Bitte wählen Sie eine Priorität.
error-date = Bitte geben Sie ein Datum ein, z. B. 24.12.2026.
error-collaborator-requester = Diese Person hat das Ticket eröffnet und ist schon beteiligt.
error-not-allowed = Dafür fehlt Ihnen die Berechtigung.

## Ereignisse im Verlauf
event-assigned = hat zugewiesen an: { $agent } { $team }
event-claimed = hat das Ticket übernommen
event-released = hat das Ticket abgegeben
event-transferred = hat verschoben von { $from } nach { $to }
event-status = hat den Status von „{ $from }“ auf „{ $to }“ geändert
event-priority = hat die Priorität von „{ $from }“ auf „{ $to }“ geändert
event-due = hat die Fälligkeit gesetzt: { $due }
event-collaborator-added = hat { $email } hinzugefügt
event-collaborator-removed = hat { $email } entfernt

## E-Mails zu laufenden Tickets
mail-ticket-subject = [#{ $number }] { $subject }
mail-open-ticket = Ticket öffnen
mail-reply-body =
    Hallo { $name },

    { $agent } hat auf Ihr Ticket { $number } geantwortet:

    { $message }

    Den ganzen Verlauf sehen Sie hier, dort können Sie auch antworten:
    { $link }

    Ihr Team von { $org }
mail-assigned-body =
    Hallo { $name },

    Ihr Ticket { $number } „{ $subject }“ wird jetzt bearbeitet von: { $assignee }.

    Den Verlauf sehen Sie hier:
    { $link }

    Ihr Team von { $org }
mail-collaborator-body =
    Hallo { $name },

    { $agent } hat Sie zum Ticket { $number } „{ $subject }“ von { $requester } hinzugefügt. Sie werden über jeden Schritt per E-Mail informiert und können selbst antworten.

    Zum Ticket:
    { $link }

    Ihr Team von { $org }
mail-alert-new-subject = Neues Ticket [#{ $number }] { $subject }
mail-alert-new-body =
    Neues Ticket { $number } von { $actor } in { $department }:

    { $message }

    { $link }
mail-alert-message-subject = Neue Nachricht [#{ $number }] { $subject }
mail-alert-message-body =
    { $actor } hat zu Ticket { $number } geschrieben:

    { $message }

    { $link }
mail-alert-assigned-subject = Ihnen zugewiesen [#{ $number }] { $subject }
mail-alert-assigned-body =
    { $actor } hat Ihnen (oder Ihrem Team) das Ticket { $number } von { $requester } zugewiesen.

    { $link }
mail-alert-note-subject = Interne Notiz [#{ $number }] { $subject }
mail-alert-note-body =
    { $actor } hat eine interne Notiz zu Ticket { $number } geschrieben:

    { $message }

    { $link }
mail-alert-transferred-subject = Verschoben nach { $department } [#{ $number }] { $subject }
mail-alert-transferred-body =
    { $actor } hat das Ticket { $number } nach { $department } verschoben.

    { $message }

    { $link }
mail-alert-overdue-subject = Überfällig [#{ $number }] { $subject }
mail-alert-overdue-body =
    Das Ticket { $number } von { $requester } ist überfällig.

    { $link }
event-created = hat das Ticket über { $source ->
        [portal] das Portal
        [email] E-Mail
       *[other] die Schnittstelle
    } eröffnet

## Verwaltung: Protokoll
audit-title = Protokoll
audit-intro = Jede Änderung in der Verwaltung und jeder Anmeldeversuch, die neuesten zuerst.
audit-action = Vorgang
audit-actor = Wer
audit-when = Wann
audit-target = Betrifft
audit-change = Änderung
audit-ip = Adresse
audit-empty = Keine Einträge.
audit-older = Ältere Einträge

## Verwaltung: Mitarbeitende
agents-title = Mitarbeitende
agents-state = Zustand
agents-admin = Verwaltung
agents-active = aktiv
agents-disabled = gesperrt
agents-invite = Mitarbeiter/in einladen
agents-invite-intro = Die Person bekommt eine E-Mail mit einem Link, über den sie ihr Passwort selbst festlegt. Der Link gilt sieben Tage.
agents-admin-label = Darf alles verwalten und sieht alle Tickets
agents-departments = Abteilungen und Rolle
agents-invite-submit = Einladung senden
agents-is-disabled = Dieses Konto ist gesperrt: Anmelden ist nicht möglich.
agents-access = Zugang
agents-send-reset = Link zum Passwort-Setzen senden
agents-disable = Sperren
agents-enable = Entsperren
field-display-name = Angezeigter Name
field-username-only = Benutzername
role-none = – kein Mitglied –
role-view = Nur lesen
role-agent = Bearbeiten
role-manager = Leitung
set-password-title = Passwort festlegen
set-password-invalid = Dieser Link ist ungültig, abgelaufen oder wurde schon benutzt. Bitte fragen Sie in der Verwaltung nach einem neuen.
password-saved = Ihr Passwort ist gespeichert. Bitte melden Sie sich an.
done-agent-invite = Die Einladung ist verschickt.
done-agent-update = Die Änderungen sind gespeichert.
done-agent-disable = Das Konto ist gesperrt; alle Sitzungen sind beendet.
done-agent-enable = Das Konto ist wieder aktiv.
done-agent-reset = Ein Link zum Passwort-Setzen ist verschickt; alle Sitzungen sind beendet.
error-username = Nur Buchstaben, Ziffern, Punkt, Binde- und Unterstrich, höchstens 50 Zeichen.
error-username-taken = Dieser Benutzername ist schon vergeben.
error-email-taken = Diese E-Mail-Adresse gehört schon zu einem anderen Konto.
error-disable-self = Sie können sich nicht selbst sperren.
mail-password-link = Passwort festlegen
mail-password-invite-subject = Ihr Zugang zu { $org }
mail-password-invite-body =
    Hallo { $name },

    Sie wurden als Mitarbeiter/in bei { $org } eingeladen. Über diesen Link legen Sie Ihr Passwort fest (gültig { $days } Tage):
    { $link }
mail-password-reset-subject = Neues Passwort für { $org }
mail-password-reset-body =
    Hallo { $name },

    für Ihr Konto bei { $org } wurde ein neues Passwort angefordert. Über diesen Link legen Sie es fest (gültig { $days } Tage):
    { $link }

    Wenn Sie das nicht erwartet haben, melden Sie sich bitte bei Ihrer Verwaltung.

## Verwaltung: Organisation
yes = ja
no = nein
field-name-only = Name
org-departments = Abteilungen
org-teams = Teams
org-topics = Hilfethemen
org-create = Neu anlegen
org-edit = Bearbeiten
org-alerts = Benachrichtigungen
org-alerts-label = Mitglieder bei neuen Tickets per E-Mail benachrichtigen
org-active = Aktiv
org-active-label = Aktiv (inaktive Einträge bleiben an bestehenden Tickets erhalten)
org-members = Mitglieder
org-lead = Leitung
org-name-de = Name (Deutsch)
org-name-en = Name (Englisch)
org-public = Öffentlich
org-public-label = Im Kundenportal anbieten
org-order = Reihenfolge
org-department-email = E-Mail-Adresse der Abteilung
error-name-taken = Dieser Name ist schon vergeben.
org-sla = Servicezeiten
sla-grace = Frist (Stunden)
sla-grace-label = Frist in Arbeitsstunden
sla-schedule = Arbeitszeit
sla-holidays-label = Feiertage, z. B. „2026-12-24, 2026-12-25“
sla-plan = Servicezeit
sla-none = – keine –
error-hours = Bitte geben Sie eine Zahl von Stunden größer als 0 ein.
error-schedule = Bitte schreiben Sie die Arbeitszeit wie „Mo-Fr 08:00-17:00“.
error-holidays = Bitte schreiben Sie Feiertage als JJJJ-MM-TT, durch Kommas getrennt.
org-canned = Textbausteine
canned-title = Titel
canned-body = Text (Platzhalter: {"{"}{"{"}requester.name{"}"}{"}"}, {"{"}{"{"}requester.email{"}"}{"}"}, {"{"}{"{"}ticket.number{"}"}{"}"}, {"{"}{"{"}ticket.subject{"}"}{"}"}, {"{"}{"{"}agent.name{"}"}{"}"})
canned-all = alle Abteilungen
canned-label = Textbaustein
canned-insert = Einfügen
topic-priority = Priorität neuer Tickets
topic-auto-agent = Neue Tickets automatisch zuweisen an (Person)
topic-auto-team = Neue Tickets automatisch zuweisen an (Team)
action-revoke-access = Zugangslinks sperren
done-revoke-access = Alle Zugangslinks dieser Person sind gesperrt; geöffnete Sitzungen sehen das Ticket nicht mehr.
event-access-revoked = hat die Zugangslinks von { $email } gesperrt

## Einstellungen (Portal und E-Mail)
settings-title = Einstellungen
settings-portal = Portal
settings-mail = E-Mail
settings-saved = Die Einstellungen sind gespeichert und gelten ab sofort.
settings-appearance = Erscheinungsbild
settings-org-name = Name der Organisation
settings-org-name-hint = Steht oben auf jeder Seite und in jeder E-Mail.
settings-logo = Logo
settings-logo-current = Aktuelles Logo
settings-logo-hint = PNG, JPEG, GIF oder WebP, höchstens { $kb } KB. Ohne neue Datei bleibt das bisherige Logo.
settings-logo-remove = Logo entfernen
settings-intro-de = Begrüßungstext auf der Startseite (Deutsch)
settings-intro-en = Begrüßungstext auf der Startseite (Englisch)
settings-intro-hint = Leer lassen für den Standardtext. **fett**, *kursiv*, Listen und Links sind möglich.
settings-default-lang = Standardsprache
settings-default-lang-hint = Für Besucher, deren Browser weder Deutsch noch Englisch bevorzugt, und für E-Mails an Personen ohne bekannte Sprache.
settings-tickets = Tickets und Anhänge
settings-number-format = Format der Ticketnummern
settings-number-format-hint = Jedes # wird eine zufällige Ziffer, alles andere bleibt stehen, z. B. ###### oder DRK-####. Ist ein Zehntel der möglichen Nummern vergeben, bekommt die letzte Gruppe von # eine Ziffer mehr. Bestehende Tickets behalten ihre Nummer.
settings-max-mb = Anhänge pro Nachricht höchstens (MB)
settings-max-mb-hint = Alle Dateien einer Nachricht zusammen; höchstens { $max } MB.
settings-allowed-types = Erlaubte Dateitypen
settings-allowed-types-hint = Dateiendungen, durch Komma getrennt, z. B. pdf, docx, png, jpg. Leer lassen, um alle Dateitypen zu erlauben.
settings-status-mode = Wenn jemand „Ticketstatus prüfen“ mit passender Nummer und E-Mail-Adresse nutzt
settings-status-open = Ticket sofort öffnen
settings-status-mail = Einen neuen Zugangslink an die E-Mail-Adresse senden (sicherer: Nur wer das Postfach liest, kommt hinein)
settings-sender = Absender
settings-sender-hint = Für E-Mails ohne eigene Abteilungsadresse, etwa Einladungen. Jede Abteilung sendet ihre Ticket-E-Mails mit ihrer eigenen Adresse (unter Abteilungen).
settings-mail-from = Absenderadresse
settings-mail-from-name = Absendername
settings-delivery = Versand
settings-delivery-how = Wie sollen E-Mails verschickt werden?
settings-delivery-smtp = Über einen SMTP-Server
settings-delivery-files = Nicht verschicken, sondern als Dateien im Datenordner ablegen (zum Ausprobieren)
settings-smtp-host = SMTP-Server
settings-smtp-host-hint = Name oder Adresse, z. B. smtp.beispiel.de
settings-smtp-port = Port
settings-smtp-port-hint = Leer lassen für den üblichen Port: 587 (STARTTLS), 465 (TLS), 25 (ohne)
settings-smtp-tls = Verschlüsselung
settings-tls-starttls = STARTTLS (empfohlen, meist Port 587)
settings-tls-tls = TLS von Anfang an (meist Port 465)
settings-tls-none = Keine (nur für einen Server im eigenen Netz)
settings-tls-opportunistic = STARTTLS, wenn angeboten (nicht empfohlen)
settings-smtp-user = Benutzername
settings-smtp-user-hint = Leer lassen, wenn der Server keine Anmeldung verlangt.
settings-smtp-password = Passwort
settings-smtp-password-stored = Ein Passwort ist gespeichert; es wird nie wieder angezeigt. Leer lassen, um es zu behalten.
settings-smtp-password-none = Es ist kein Passwort gespeichert.
settings-smtp-password-clear = Gespeichertes Passwort löschen
settings-test = Test-E-Mail
settings-test-hint = Schickt sofort eine E-Mail mit den Angaben in diesem Formular, auch wenn sie noch nicht gespeichert sind.
settings-test-to = Empfänger der Test-E-Mail
settings-test-send = Test-E-Mail senden
settings-test-sent = Die Test-E-Mail an { $to } wurde vom Server angenommen.
settings-test-detail = Antwort des Servers:
settings-test-settings = Mit diesen Angaben lässt sich keine E-Mail verschicken. Bitte prüfen Sie Server und Absenderadresse.
settings-test-connect = Keine Verbindung zum SMTP-Server. Bitte prüfen Sie Servername und Port und ob der Server erreichbar ist.
settings-test-tls = Die verschlüsselte Verbindung kam nicht zustande. Bitte prüfen Sie, ob Verschlüsselung und Port zusammenpassen (STARTTLS meist 587, TLS meist 465).
settings-test-auth = Der Server hat Benutzername oder Passwort abgelehnt.
settings-test-rejected = Der Server hat die E-Mail abgelehnt, z. B. den Absender oder den Empfänger.
settings-test-timeout = Der Server hat nicht rechtzeitig geantwortet.
settings-test-other = Die Test-E-Mail konnte nicht verschickt werden.
error-number-format = Bitte mindestens vier # und sonst nur Buchstaben, Ziffern und Bindestriche verwenden, höchstens 20 Zeichen.
error-attachment-limit = Bitte eine Zahl größer als 0 und höchstens 100 eingeben.
error-file-types = Bitte nur Dateiendungen aus Buchstaben und Ziffern angeben, durch Komma getrennt.
error-logo-size = Das Logo ist zu groß: höchstens 256 KB.
error-logo-type = Das Logo muss ein PNG-, JPEG-, GIF- oder WebP-Bild sein.
error-smtp-host = Bitte den Namen oder die Adresse des SMTP-Servers angeben.
error-port = Bitte einen Port zwischen 1 und 65535 angeben.
status-sent = Danke. Wenn Ticketnummer und E-Mail-Adresse zusammenpassen, haben wir gerade einen Link zu Ihrem Ticket an diese Adresse geschickt.
status-sent-hint = Öffnen Sie die E-Mail und klicken Sie auf den Link. Kommt nichts an, prüfen Sie bitte auch den Spam-Ordner und Ihre Angaben.
status-again = Erneut versuchen
mail-status-link-subject = [#{ $number }] Ihr Link zum Ticket
mail-status-link-body =
    Hallo { $name },

    Sie haben einen Link zu Ihrem Ticket { $number } („{ $subject }“) angefordert. Hier können Sie den Verlauf ansehen und antworten:
    { $link }

    Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.

    Ihr Team von { $org }
mail-test-subject = Test-E-Mail von { $org }
mail-test-body =
    Diese Test-E-Mail bestätigt, dass { $org } über den eingestellten Server E-Mails verschicken kann.

## Department members and time zones
members-title = Mitglieder
members-link = Mitglieder und Leitung verwalten
members-heading = Mitglieder: { $department }
members-managers = Leitung
members-intro = „Nur lesen“ sieht die Tickets der Abteilung, „Bearbeiten“ bearbeitet sie, „Leitung“ bearbeitet sie und erhält Eskalationen. Zugewiesene Tickets sieht jede Person auch ohne Mitgliedschaft.
members-none = Diese Abteilung hat noch keine Mitglieder.
members-role = Rolle
members-active = Konto aktiv
members-actions = Aktionen
members-role-of = Rolle von { $name }
members-change = Rolle ändern
members-change-of = Rolle ändern: { $name }
members-remove = Entfernen
members-remove-of = Entfernen: { $name }
members-add = Person hinzufügen
members-agent = Person
members-add-submit = Hinzufügen
members-no-candidates = Alle aktiven Mitarbeitenden sind schon Mitglied dieser Abteilung.
members-manager-mark = Leitung
done-member-add = Die Person ist jetzt Mitglied der Abteilung.
done-member-role = Die Rolle ist geändert.
done-member-remove = Die Person ist nicht mehr Mitglied der Abteilung.
error-member-agent = Bitte wählen Sie eine aktive Person aus.
error-member-role = Bitte wählen Sie eine Rolle aus.
sla-timezone = Zeitzone
sla-timezone-label = Zeitzone für Arbeitszeit und Feiertage, z. B. „Europe/Berlin“ (leer: UTC)
sla-schedule-local-label = Arbeitszeit, z. B. „Mo-Fr 08:00-17:00“ (Ortszeit der Zeitzone; leer: rund um die Uhr)
error-timezone = Diese Zeitzone ist unbekannt. Bitte geben Sie einen Namen wie „Europe/Berlin“ oder „UTC“ ein.

## Custom fields
fields-link = Eigene Formularfelder dieses Hilfethemas
fields-title = Formularfelder: { $topic }
fields-none = Dieses Hilfethema hat noch keine eigenen Formularfelder.
fields-create = Neues Feld
fields-edit = Feld bearbeiten
fields-label = Beschriftung
fields-label-de = Beschriftung (Deutsch)
fields-label-en = Beschriftung (Englisch)
fields-key = Maschinenname
fields-key-hint = Kleinbuchstaben, Ziffern und Unterstrich, z. B. „event_date“. Die Schnittstelle (API) erkennt das Feld daran; er lässt sich später nicht mehr ändern.
fields-kind = Art
fields-kind-hint = Die Art lässt sich später nicht mehr ändern.
fields-kind-short_text = Text (eine Zeile)
fields-kind-long_text = Text (mehrere Zeilen)
fields-kind-choice = Auswahl (eine Option)
fields-kind-multi_choice = Mehrfachauswahl
fields-kind-checkbox = Kontrollkästchen
fields-kind-date = Datum
fields-fixed-hint = Maschinenname und Art bleiben, wie sie angelegt wurden: Bestehende Tickets und die Schnittstelle verlassen sich darauf.
fields-help-de = Hilfetext (Deutsch)
fields-help-en = Hilfetext (Englisch)
fields-options = Optionen
fields-options-hint = Eine Option pro Zeile; nur für Auswahl und Mehrfachauswahl.
fields-required = Pflichtfeld
fields-required-label = Pflichtfeld (ohne Angabe lässt sich das Ticket nicht absenden)
fields-active-label = Aktiv (inaktive Felder erscheinen nicht mehr im Formular; bestehende Tickets behalten ihre Angaben)
fields-legend = Angaben zu „{ $topic }“
fields-choose = – bitte wählen –
filter-field-value = Angabe in Zusatzfeldern enthält
error-field-checkbox = Bitte setzen Sie hier ein Häkchen.
error-field-choice = Bitte wählen Sie eine der angebotenen Optionen.
error-field-date = Bitte geben Sie ein gültiges Datum ein, z. B. 24.12.2026.
error-field-key = Bitte nur Kleinbuchstaben, Ziffern und Unterstrich verwenden, beginnend mit einem Buchstaben (höchstens 40 Zeichen).
error-field-key-taken = Dieses Hilfethema hat schon ein Feld mit diesem Maschinennamen.
error-field-kind = Bitte wählen Sie eine Art.
error-field-options = Bitte geben Sie mindestens eine Option an, eine pro Zeile (höchstens 50, je höchstens 200 Zeichen).
error-field-order = Bitte geben Sie eine ganze Zahl von 0 bis 100000 ein.

## Verwaltung: Übersicht
admin-title = Verwaltung
admin-group-people = Menschen
admin-group-tickets = Tickets
admin-group-system = System
admin-agents-text = Einladen, Rollen je Abteilung, sperren, Passwort zurücksetzen.
admin-departments-text = Name, Absenderadresse, Mitglieder und Leitung.
admin-teams-text = Gruppen über Abteilungen hinweg, mit Leitung.
admin-topics-text = Was Anfragende auswählen, mit eigenen Formularfeldern und automatischer Zuweisung.
admin-sla-text = Fristen in Geschäftszeiten, mit Feiertagen und Zeitzone.
admin-canned-text = Vorbereitete Antworten mit Platzhaltern.
admin-portal-text = Name, Logo, Begrüßungstext, Sprache, Ticketnummern, Anhänge.
admin-mail-text = Absender, SMTP-Server und Test-E-Mail.
admin-mailboxes-text = IMAP-Postfächer je Abteilung, aus denen Tessera E-Mails abholt.
admin-audit-text = Wer hat wann was geändert, und jede Anmeldung.

## Email in
event-mail-bounced = hat eine Unzustellbarkeitsmeldung vermerkt: Eine E-Mail zu diesem Ticket kam nicht an (Adresse: { $recipient }); sie wurde nicht beantwortet
ingest-no-subject = (kein Betreff)
ingest-dropped-too-large = [Anhang „{ $name }“ wurde nicht übernommen: Die Anhänge einer Nachricht dürfen zusammen { $mb } MB groß sein.]
ingest-dropped-type = [Anhang „{ $name }“ wurde nicht übernommen: Dateien dieser Art werden nicht angenommen.]
ingest-dropped-too-many = [Anhang „{ $name }“ wurde nicht übernommen: Eine Nachricht darf höchstens { $count } Dateien enthalten.]

## Email in: views
mail-by-email = per E-Mail
mail-show-quoted = Zitierten Text anzeigen
mail-show-original = Original-E-Mail anzeigen (HTML)
mail-original-title = Original-E-Mail
mail-original-intro = Die E-Mail so, wie sie gesendet wurde – ohne Skripte, Stile, Formulare und externe Inhalte. Bilder, die der E-Mail beilagen, werden gezeigt; Bilder von anderswo werden nicht geladen.
mail-original-back = Zurück zum Ticket #{ $number }
mail-original-images = Bilder dieser E-Mail
mail-in-title = Zurückgestellte eingehende E-Mails
admin-mail-in-text = Eingehende E-Mails, die nicht gelesen werden konnten oder bewusst nicht bearbeitet wurden: herunterladen oder erneut verarbeiten.
mail-in-intro = Jede eingehende Nachricht wird aufbewahrt. Diese wurden zurückgestellt: Quarantäne heißt, sie konnten nicht gelesen oder zugeordnet werden und warten auf Sie; ignoriert heißt, sie wurden bewusst nicht bearbeitet (E-Mails von Tessera selbst, Kopien, Unzustellbarkeitsmeldungen ohne bekanntes Ticket).
mail-in-tab-quarantined = Quarantäne
mail-in-tab-ignored = Ignoriert
mail-in-empty = Hier sind keine Nachrichten.
mail-in-received = Empfangen
mail-in-source = Quelle
mail-in-from = Absender
mail-in-subject = Betreff
mail-in-reason = Grund
mail-in-actions = Aktionen
mail-in-unknown = unbekannt
mail-in-head = Erste Zeilen der Nachricht
mail-in-download = Original herunterladen (.eml)
mail-in-retry = Erneut verarbeiten
mail-in-older = Ältere Nachrichten
mail-in-source-pipe = Mailserver (Pipe)
mail-in-source-imap = IMAP-Postfach
mail-in-source-api = API
mail-in-retried-done = Die Nachricht wurde erneut verarbeitet und ist jetzt bearbeitet.
mail-in-retried-quarantined = Die Nachricht wurde erneut verarbeitet und bleibt in Quarantäne; der angezeigte Grund ist der neue.
mail-in-retried-ignored = Die Nachricht wurde erneut verarbeitet und ist jetzt als ignoriert zurückgestellt.
mail-in-retried-stored = Die Nachricht wird gerade von einem anderen Lauf verarbeitet.
mail-in-not-quarantined = Diese Nachricht ist nicht (mehr) in Quarantäne.
mail-in-retry-failed = Die erneute Verarbeitung ist fehlgeschlagen; der Grund steht bei der Nachricht.
mail-in-reason-retry-failed = Die erneute Verarbeitung ist fehlgeschlagen: { $detail }
mail-in-reason-unreadable = Die Nachricht ist nicht lesbar: { $detail }
mail-in-reason-no-sender = Die Nachricht hat keinen Absender.
mail-in-reason-bad-sender = Der Absender „{ $sender }“ ist keine E-Mail-Adresse.
mail-in-reason-own-address = Von Tesseras eigener Adresse { $address } gesendet.
mail-in-reason-copy = Eine Kopie der eingegangenen Nachricht { $id }.
mail-in-reason-stray-bounce = Eine Unzustellbarkeitsnachricht zu keinem bekannten Ticket.
mail-in-reason-posted-before = Schon einmal eingeliefert und nicht weiter bearbeitet.

## Mailboxes (IMAP)
mailbox-title = Postfächer
mailbox-intro = Tessera liest diese IMAP-Postfächer selbst, jede Minute, sofern nicht anders eingestellt: Neue E-Mails werden Tickets, Antworten landen in ihrem Ticket. Eine Nachricht wird auf dem Server erst markiert, wenn sie gespeichert ist.
mailbox-none = Noch ist kein Postfach eingerichtet.
mailbox-address = Postfach
mailbox-department = Abteilung
mailbox-folder = Ordner
mailbox-folder-hint = Meist INBOX.
mailbox-last-poll = Zuletzt gelesen
mailbox-last-error = Letzter Fehler
mailbox-active = Aktiv
mailbox-active-label = Aktiv (wird regelmäßig gelesen)
mailbox-never = noch nicht
mailbox-new = Neues Postfach
mailbox-edit = Postfach bearbeiten
mailbox-saved = Das Postfach wurde gespeichert.
mailbox-host = IMAP-Server
mailbox-port = Port
mailbox-port-hint = Leer: 993 mit TLS, 143 mit STARTTLS.
mailbox-tls = Verbindungssicherheit
mailbox-tls-tls = TLS (IMAPS, meist Port 993)
mailbox-tls-starttls = STARTTLS (meist Port 143)
mailbox-tls-none = Keine (nur für einen Server auf diesem Rechner)
mailbox-username = Benutzername
mailbox-password = Passwort
mailbox-password-stored = Ein Passwort ist gespeichert. Lassen Sie das Feld leer, um es zu behalten.
mailbox-password-none = Es ist kein Passwort gespeichert.
mailbox-password-clear = Gespeichertes Passwort löschen
mailbox-topic = Hilfethema für neue Tickets
mailbox-topic-default = Das übliche Hilfethema der Abteilung
mailbox-topic-hint = Nur Hilfethemen der gewählten Abteilung sind möglich.
mailbox-after = Wenn eine Nachricht gespeichert ist
mailbox-after-seen = Als gelesen markieren und im Ordner lassen
mailbox-after-move = In den Archivordner verschieben
mailbox-after-delete = Vom Server löschen
mailbox-archive = Archivordner
mailbox-archive-hint = Nur nötig, wenn Nachrichten verschoben werden; der Ordner muss existieren.
mailbox-test = Verbindung testen
mailbox-test-ok = Die Verbindung funktioniert: angemeldet und den Ordner geöffnet.
mailbox-error-connect = Der Server war nicht erreichbar. Bitte prüfen Sie Servername und Port.
mailbox-error-tls = Die sichere Verbindung ist fehlgeschlagen. Bitte prüfen Sie Verbindungssicherheit und Port.
mailbox-error-auth = Der Server hat Benutzername oder Passwort abgelehnt.
mailbox-error-folder = Den Ordner gibt es auf dem Server nicht, oder er lässt sich nicht öffnen.
mailbox-error-timeout = Der Server hat nicht rechtzeitig geantwortet.
mailbox-error-settings = Mit diesen Einstellungen geht es nicht.
mailbox-error-ingest = Eine Nachricht konnte nicht gespeichert werden; sie bleibt auf dem Server und wird erneut versucht.
mailbox-error-other = Der Server hat einen Befehl abgelehnt.
error-mailbox-host = Bitte geben Sie Name oder Adresse des IMAP-Servers ein.
error-mailbox-plain-remote = Ohne TLS darf ein Postfach nur auf diesem Rechner (127.0.0.1) gelesen werden; sonst ginge das Passwort lesbar durchs Netz.
error-mailbox-folder = Bitte geben Sie einen Ordnernamen ohne Anführungszeichen und Backslashes ein (höchstens 200 Zeichen).
error-mailbox-topic = Bitte wählen Sie ein Hilfethema der gewählten Abteilung.
error-mailbox-archive = Bitte geben Sie den Ordner an, in den verschoben wird (nicht den Ordner, der gelesen wird).
error-mailbox-taken = Dieses Postfach mit diesem Ordner ist schon eingerichtet.

# API keys and the APIs
error-ip-range = Bitte Adressbereiche wie 192.0.2.0/24 oder 2001:db8::/32 angeben, durch Kommas getrennt.
error-api-scope = Bitte einen Umfang wählen: nur anlegen, lesen oder schreiben.
error-api-rate = Bitte eine Zahl von 1 bis 1.000.000 Anfragen pro Minute angeben.
error-api-agent = Diesen aktiven Agenten gibt es nicht.
error-api-agent-required = Lese- und Schreibschlüssel handeln als ein Agent: bitte einen angeben.
api-problem-unauthorized = Ein gültiger API-Schlüssel ist nötig.
api-problem-rate-limited = Zu viele Anfragen mit diesem Schlüssel; bitte in einer Minute erneut versuchen.
api-problem-internal = Auf dem Server ist ein Fehler aufgetreten.
api-problem-invalid = Die Anfrage enthält ungültige Angaben.
api-problem-not-found = Nicht gefunden.
api-problem-forbidden = Dieser Schlüssel darf das nicht.
api-problem-stale = Das Ticket hat sich inzwischen geändert.
api-problem-conflict = Die Anfrage widerspricht dem aktuellen Stand (zum Beispiel ist ein Wert, der eindeutig sein muss, schon vergeben).
api-problem-unavailable = Der Dienst kann gerade keine Daten speichern oder laden; bitte versuchen Sie es gleich noch einmal (siehe Retry-After).

# Search
search-label = Suchen
search-placeholder = Nummer, Betreff, Text, Name, E-Mail, Dateiname …
search-hint = Findet auch andere Wortformen (Drucker, Druckers); alle Wörter müssen vorkommen.
search-ranked = Treffer nach Relevanz geordnet (innerhalb der jeweils neuesten 1.000).
search-everywhere = In allen Tickets suchen
search-nothing = Keine Tickets gefunden. Weniger oder andere Wörter versuchen?
tickets-search-label = In Ihren Tickets suchen
tickets-search-all = Alle Ihre Tickets zeigen
# osTicket's ticket API and the API keys' administration
api-os-key-required = Gültiger API-Schlüssel erforderlich
api-os-key-refused = API-Schlüssel unbekannt, widerrufen oder von dieser Adresse nicht erlaubt
api-os-not-authorized = Dieser API-Schlüssel darf keine Tickets anlegen
api-os-rate-limited = Zu viele Anfragen mit diesem API-Schlüssel; bitte in einer Minute noch einmal versuchen.
api-os-unsupported = Nicht unterstütztes Datenformat: bitte JSON senden (Content-Type: application/json).
api-os-too-large = Die Anfrage ist zu groß.
api-os-not-object = Die Anfrage muss ein JSON-Objekt sein.
api-os-bad-json = Die Anfrage ist kein gültiges JSON: { $detail }
api-os-invalid = Das Ticket konnte nicht angelegt werden, bitte korrigieren:
api-os-internal = Das Ticket konnte nicht angelegt werden: unbekannter Fehler
api-os-email-empty = Die Anfrage enthält keine Nachricht.
api-os-email-quarantined = Die Nachricht ist nicht lesbar; sie wird für die Verwaltung aufbewahrt: { $detail }
api-os-email-ignored = Die Nachricht wurde aufbewahrt, aber nicht bearbeitet: { $detail }
api-os-email-unavailable = Die Nachricht kann gerade nicht gespeichert werden; bitte später erneut senden.
api-os-unavailable = Das Ticket kann gerade nicht angelegt werden; bitte versuchen Sie es gleich noch einmal.
api-os-conflict = Das Ticket kann nicht angelegt werden: Die Anfrage widerspricht dem aktuellen Stand.
error-api-priority = Bitte eine Priorität angeben: 1 (niedrig), 2 (normal), 3 (hoch), 4 (Notfall) oder ihren Namen.
error-api-ip = Bitte eine IPv4- oder IPv6-Adresse angeben.
error-api-charset = Bitte den Text in UTF-8 (oder ISO-8859-1) senden.
error-api-data-url = Die Data-URL ist nicht lesbar (nach dem Typ ein Komma, dann die Daten; Base64 muss gültig sein).
error-api-attachment = Jeder Anhang muss ein Objekt aus Dateiname und Data-URL sein, z. B. {"{"}"datei.txt": "data:text/plain,…"{"}"}, mit gültigem Base64.
apikeys-title = API-Schlüssel
admin-apikeys-text = Schlüssel für Programme: osTicket-kompatibles Anlegen von Tickets und die REST-API.
apikeys-intro = Programme melden sich mit einem Schlüssel im Header X-API-Key an. Ein Schlüssel wird beim Anlegen einmal angezeigt und nur als Hash gespeichert; ein Widerruf gilt sofort.
apikeys-none = Es gibt noch keine API-Schlüssel.
apikeys-name = Name
apikeys-name-hint = Wer den Schlüssel nutzt, z. B. „Formular der Website“.
apikeys-scope = Berechtigung
apikeys-scope-create = Nur Tickets anlegen
apikeys-scope-read = Lesen (als die Mitarbeiterin)
apikeys-scope-write = Lesen und schreiben (als die Mitarbeiterin)
apikeys-agent = Mitarbeiter/in
apikeys-agent-hint = Benutzername der Person, als die ein Lese- oder Schreibschlüssel handelt; er sieht und darf genau, was sie darf. Für Schlüssel, die nur anlegen, leer lassen.
apikeys-allowed = Erlaubte Adressen
apikeys-allowed-hint = Adressbereiche, von denen der Schlüssel genutzt werden darf, durch Kommas getrennt (z. B. 192.0.2.0/24, 2001:db8::/32). Leer: von überall.
apikeys-allowed-any = überall
apikeys-rate = Anfragen pro Minute
apikeys-rate-hint = Leer lassen für { $default }.
apikeys-created = Angelegt
apikeys-last-used = Zuletzt genutzt
apikeys-never = nie
apikeys-status = Status
apikeys-active = aktiv
apikeys-revoked = widerrufen { $when }
apikeys-new = Neuer API-Schlüssel
apikeys-create = Schlüssel anlegen
apikeys-revoke = Widerrufen
apikeys-revoke-title = API-Schlüssel „{ $name }“ widerrufen?
apikeys-revoke-text = Programme mit diesem Schlüssel werden sofort abgewiesen. Das lässt sich nicht rückgängig machen; sie bräuchten einen neu angelegten Schlüssel.
apikeys-revoke-confirm = Ja, Schlüssel widerrufen
apikeys-cancel = Abbrechen
apikeys-shown-once = Der neue Schlüssel „{ $name }“ – jetzt kopieren: Er wird nur dieses eine Mal angezeigt und lässt sich nicht wieder anzeigen.
apikeys-done-revoked = Der Schlüssel ist widerrufen.
## REST API (/api/v1)
api-problem-malformed = Der Inhalt der Anfrage ist kein gültiges JSON.
api-problem-unsupported-media-type = Der Inhalt der Anfrage muss JSON sein (Content-Type: application/json).
api-problem-too-large = Der Inhalt der Anfrage ist zu groß.
api-problem-bad-parameter = Ein Abfrageparameter ist ungültig.
api-problem-method-not-allowed = Diese Methode ist hier nicht erlaubt.
error-api-nul = Text darf keine NUL-Zeichen enthalten.
error-api-base64 = Jeder Anhang braucht einen Dateinamen und nicht leere Base64-Daten.
error-api-cursor = Dieser Cursor gehört nicht zu dieser Liste; bitte ohne ihn neu beginnen.
error-api-limit = Bitte zwischen 1 und 100 Zeilen pro Seite wählen.
# Webhooks
admin-webhooks-text = Andere Programme über Ereignisse an Tickets informieren: signierte HTTP-Anfragen an Adressen Ihrer Wahl, mit Zustellprotokoll.
webhook-title = Webhooks
webhook-intro = Für jedes gewählte Ereignis sendet Tessera eine POST-Anfrage mit einer JSON-Beschreibung an die Adresse, signiert mit dem Geheimnis des Webhooks (Kopfzeile X-Tessera-Signature). Fehlgeschlagene Zustellungen werden etwa einen Tag lang wiederholt.
webhook-none = Noch keine Webhooks.
webhook-new = Neuer Webhook
webhook-edit = Webhook bearbeiten
webhook-url = Adresse (URL)
webhook-url-hint = Eine Adresse mit http:// oder https://. Weiterleitungen werden nicht verfolgt.
webhook-description = Beschreibung
webhook-events = Ereignisse
webhook-active = Aktiv
webhook-active-label = Aktiv (Ereignisse an diese Adresse senden)
webhook-allow-private = Adressen in privaten Netzen und auf diesem Rechner erlauben
webhook-allow-private-hint = Standardmäßig aus: Loopback- (127.0.0.1, localhost), private (10.x, 192.168.x, fc00::/7), Link-Local- (169.254.x, Cloud-Metadaten) und ähnliche Adressen werden abgelehnt, damit ein Webhook nicht in Ihr Netz hineinreicht. Nur für einen Empfänger ankreuzen, den Sie selbst betreiben.
webhook-event-ticket-created = Ticket eröffnet
webhook-event-ticket-updated = Ticket geändert (Abteilung, Priorität, Fälligkeit, Beteiligte, zurückgegeben, …)
webhook-event-message = Nachricht der anfragenden Person oder einer beteiligten Person
webhook-event-reply = Antwort einer Mitarbeiterin oder eines Mitarbeiters
webhook-event-note = Interne Notiz
webhook-event-assigned = Zugewiesen oder übernommen
webhook-event-status = Status geändert
webhook-test = Testereignis senden
webhook-secret = Geheimnis
webhook-secret-hint = Der Empfänger prüft jede Anfrage: HMAC-SHA256 mit diesem Geheimnis über die Kopfzeile X-Tessera-Timestamp, einen Punkt und den Inhalt der Anfrage, als Hex, muss X-Tessera-Signature nach „sha256=“ gleichen. Halten Sie es geheim.
webhook-secret-show = Geheimnis anzeigen
webhook-log = Zustellungen
webhook-log-none = Bisher wurde nichts gesendet.
webhook-log-queued = Eingereiht
webhook-log-event = Ereignis
webhook-log-state = Zustand
webhook-log-attempts = Versuche
webhook-log-last = Letzte Antwort
webhook-log-next = Nächster Versuch
webhook-log-each = Alle Versuche
webhook-log-older = Ältere Zustellungen
webhook-state-pending = wartet
webhook-state-delivered = zugestellt
webhook-state-failed = fehlgeschlagen
webhook-retry = Jetzt erneut versuchen
webhook-done-created = Der Webhook wurde angelegt.
webhook-done-saved = Der Webhook wurde gespeichert.
webhook-done-test = Ein Testereignis ist unterwegs; seine Zustellung erscheint unten.
webhook-done-retry = Die Zustellung wurde erneut eingereiht.
webhook-fail-inactive = Nicht gesendet: Der Webhook ist inaktiv.
webhook-fail-url = Nicht gesendet: Die URL ist nicht lesbar ({ $detail }).
webhook-fail-refused = Abgelehnt: { $host } ist { $kind ->
        [loopback] eine Loopback-Adresse (dieser Rechner)
        [private] eine Adresse in einem privaten Netz
        [link-local] eine Link-Local-Adresse
        [unspecified] eine unbestimmte Adresse
        [multicast] eine Multicast-Adresse
        [shared] eine gemeinsam genutzte (CGNAT-)Adresse
       *[other] eine reservierte Adresse
    }; erlauben Sie private Ziele, um dorthin zu senden.
webhook-fail-resolved = Abgelehnt: { $host } löst zu { $address } auf, { $kind ->
        [loopback] eine Loopback-Adresse (dieser Rechner)
        [private] eine Adresse in einem privaten Netz
        [link-local] eine Link-Local-Adresse
        [unspecified] eine unbestimmte Adresse
        [multicast] eine Multicast-Adresse
        [shared] eine gemeinsam genutzte (CGNAT-)Adresse
       *[other] eine reservierte Adresse
    }; erlauben Sie private Ziele, um dorthin zu senden.
webhook-fail-request = Die Anfrage ist fehlgeschlagen: { $detail }
error-webhook-url = Bitte geben Sie eine vollständige Adresse mit http:// oder https:// ohne Benutzername und Passwort ein.
error-webhook-private = Diese Adresse liegt auf diesem Rechner oder in einem privaten Netz. Kreuzen Sie „Adressen in privaten Netzen erlauben“ an, wenn das so gewollt ist.
error-webhook-events = Bitte wählen Sie mindestens ein Ereignis.
