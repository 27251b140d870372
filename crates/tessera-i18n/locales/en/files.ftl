# Uploaded files: names, types, virus scanning.

error-attachment-name = A file name contains a character that is not allowed (such as a NUL byte). Nothing was saved – please rename the file and send it again.
error-upload-broken = The form did not arrive complete (the connection may have been interrupted). Nothing was saved – please send it again.
error-form-too-large = The form has more fields or more text than any form here. Nothing was saved.
error-request-too-large = Too large
error-request-too-large-text = What was sent is larger than this installation accepts. Nothing was saved – please go back and choose smaller or fewer files.
error-attachment-infected = A file was refused because the virus scanner found malware in it. Nothing was saved.
error-attachment-scan-unavailable = The files cannot be checked for viruses at the moment, so they cannot be accepted. Nothing was saved – please try again later.
