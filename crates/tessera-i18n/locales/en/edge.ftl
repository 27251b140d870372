# The edge: rate limits, client addresses, connections.
edge-request-timeout = The request took too long and was stopped. Please try again.
