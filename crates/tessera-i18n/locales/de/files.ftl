# Uploaded files: names, types, virus scanning.

error-attachment-name = Ein Dateiname enthält ein nicht erlaubtes Zeichen (etwa ein NUL-Byte). Es wurde nichts gespeichert – bitte benennen Sie die Datei um und senden Sie sie noch einmal.
error-upload-broken = Das Formular ist nicht vollständig angekommen (vielleicht wurde die Verbindung unterbrochen). Es wurde nichts gespeichert – bitte senden Sie es noch einmal.
error-form-too-large = Das Formular hat mehr Felder oder mehr Text, als ein Formular hier haben kann. Es wurde nichts gespeichert.
error-request-too-large = Zu groß
error-request-too-large-text = Was gesendet wurde, ist größer, als diese Installation annimmt. Es wurde nichts gespeichert – bitte gehen Sie zurück und wählen Sie kleinere oder weniger Dateien.
error-attachment-infected = Eine Datei wurde abgelehnt, weil der Virenscanner darin Schadsoftware gefunden hat. Es wurde nichts gespeichert.
error-attachment-scan-unavailable = Die Dateien können gerade nicht auf Viren geprüft werden und daher nicht angenommen werden. Es wurde nichts gespeichert – bitte versuchen Sie es später noch einmal.
