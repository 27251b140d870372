# The edge: rate limits, client addresses, connections.
edge-request-timeout = Die Anfrage hat zu lange gedauert und wurde abgebrochen. Bitte versuchen Sie es noch einmal.
