# Storing what arrives: a full or failing disk, and mail that arrives more than once.

mailstore-upload-unavailable = The server cannot store files right now (its storage is full or failing). Nothing was saved – please try again later; your text is kept below.
mailstore-form-unavailable = The server cannot store your request right now (its storage is full or failing). Nothing was saved – please send it again in a few minutes; what you typed is kept below.
event-mail-resent = received the same email again (Message-ID { $message_id }) with a different text: the next entry is the re-sent version
