# Queue-Liste, Telefon-Ansicht, Seitenleiste des Tickets, Tastenkürzel (Issue 23).

# Sortierbare Spaltenköpfe; $column ist die Spalte.
sort-column = Nach „{ $column }“ sortieren
# Seitenweise blättern.
pager-prev = Vorherige Seite
pager-page = Seite { $page } von { $pages }
pager-page-only = Seite { $page }
pager-size = Tickets pro Seite
pager-size-one = { $size } pro Seite
# Die Filterleiste, die sich bei Bedarf öffnet.
filter-toggle = Filter und Sortierung
filter-active = Filter aktiv
filter-field-value-hint = Sucht in den Angaben, die beim Öffnen in eigenen Feldern des Hilfethemas gemacht wurden, z. B. einer Kundennummer.
# Alle Zeilen der Seite für eine Sammelaktion auswählen.
select-all = Alle Tickets dieser Seite auswählen
# Gespeicherte Ansichten.
views-title = Gespeicherte Ansichten
views-save = Diese Ansicht speichern
views-name = Name der Ansicht
views-name-hint = Gespeichert werden Warteschlange, Suche, Filter, Sortierung und Seitengröße.
views-share = Mit allen Mitarbeitenden teilen
views-shared = geteilt
views-delete = Ansicht „{ $name }“ löschen
views-save-submit = Ansicht speichern
done-view-saved = Die Ansicht wurde gespeichert.
done-view-deleted = Die Ansicht wurde gelöscht.
view-error-query-too-long = Diese Ansicht hat zu viele Filter, um gespeichert zu werden.
view-error-share-admin = Nur Administrierende können Ansichten mit allen teilen.
view-error-too-many = Sie haben schon 50 Ansichten gespeichert. Löschen Sie zuerst eine.
view-error-not-yours = Diese Ansicht gehört jemand anderem; nur wer sie gespeichert hat, kann sie löschen.
# Tastenkürzel und ihre Hilfe.
shortcuts-title = Tastenkürzel
shortcuts-open = Tastenkürzel anzeigen
shortcuts-hint = Tastenkürzel: ?
shortcut-next = Nächstes Ticket in der Liste
shortcut-prev = Vorheriges Ticket in der Liste
shortcut-open = Markiertes Ticket öffnen
shortcut-search = Suchen
shortcut-claim = Ticket übernehmen
shortcut-reply = Antwort schreiben
shortcut-note = Interne Notiz schreiben
shortcut-help = Diese Hilfe ein- und ausblenden
shortcuts-typing = In Eingabefeldern gelten die Kürzel nicht; Esc verlässt das Feld.
shortcuts-close = Schließen
# Kopfzeile auf dem Telefon.
menu = Menü
# Die Aktionen des Tickets oben auf der Seite.
ticket-actions = Aktionen zum Ticket
# Status, Priorität und Fälligkeit in einem Formular.
done-state = Status, Priorität und Fälligkeit wurden gespeichert.
# Zugangslinks sperren: Rückfrage.
revoke-confirm-title = Zugangslinks sperren?
revoke-confirm-text = Alle Zugangslinks von { $name } zu diesem Ticket funktionieren danach nicht mehr, und geöffnete Sitzungen sehen das Ticket nicht mehr. Mit Ticketnummer und E-Mail-Adresse kommt { $name } wieder hinein.
revoke-confirm = Ja, Zugangslinks sperren
