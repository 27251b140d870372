# A real DNS server on loopback for the mail-authenticity tests (dnslib from PyPI).
# Usage: python dns_server.py PORT RECORDS.json
# RECORDS.json maps lower-case names to lists of TXT strings; it is read again for every
# query, so a test can change its records while the server runs. Names under a known name
# answer "no records" (NOERROR), everything else NXDOMAIN. Prints "ready" once it listens
# on UDP and TCP.
import json
import sys
import threading

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer

port, path = int(sys.argv[1]), sys.argv[2]


class Records(BaseResolver):
    def resolve(self, request, handler):
        reply = request.reply()
        q = request.q
        name = str(q.qname).rstrip(".").lower()
        with open(path) as f:
            records = json.load(f)
        if name in records:
            if q.qtype in (QTYPE.TXT, QTYPE.ANY):
                for text in records[name]:
                    data = text.encode()
                    chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
                    reply.add_answer(RR(q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=1))
        elif not any(k.endswith("." + name) for k in records):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


resolver = Records()
quiet = DNSLogger(logf=lambda _: None)
udp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=False, logger=quiet)
tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=quiet)
udp.start_thread()
tcp.start_thread()
print("ready", flush=True)
threading.Event().wait()
