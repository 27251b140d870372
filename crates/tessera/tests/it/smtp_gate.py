"""An SMTP server for tests that decide when each message is accepted and what each
recipient is answered (aiosmtpd, delivering into a Maildir like `aiosmtpd.handlers.Mailbox`).

    python smtp_gate.py HOST PORT MAILDIR STATE

Commands, one per line on stdin:
    allow N          accept N messages in all (counted from the start); -1: no limit
    refuse ADDR CODE answer RCPT TO:<ADDR> with CODE (450: try later, 550: no such user)
    accept ADDR      accept ADDR again

A message beyond the allowance is held at DATA until the allowance grows; a held message
whose client goes away is dropped, never delivered. After every change the server writes
`{"delivered": n, "held": n, "commands": n}` to STATE (atomically), so a test can wait for a
condition instead of sleeping: `commands` counts the commands applied.
"""

import asyncio
import json
import mailbox
import os
import sys
import threading

from aiosmtpd.smtp import SMTP


class Gate:
    def __init__(self, maildir, state):
        self.box = mailbox.Maildir(maildir, create=True)
        self.state = state
        self.allow = -1
        self.delivered = 0
        self.held = 0
        self.commands = 0
        self.refused = {}
        self.cond = asyncio.Condition()
        self.write()

    def write(self):
        tmp = self.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(
                {"delivered": self.delivered, "held": self.held, "commands": self.commands},
                f,
            )
        os.replace(tmp, self.state)

    async def command(self, line):
        parts = line.split()
        async with self.cond:
            if parts[0] == "allow":
                self.allow = int(parts[1])
            elif parts[0] == "refuse":
                self.refused[parts[1].lower()] = parts[2]
            elif parts[0] == "accept":
                self.refused.pop(parts[1].lower(), None)
            self.commands += 1
            self.write()
            self.cond.notify_all()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.refused.get(address.lower())
        if code == "450":
            return "450 4.2.1 Mailbox busy, try again later"
        if code is not None:
            return code + " 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        async with self.cond:
            self.held += 1
            self.write()
            try:
                while self.allow >= 0 and self.delivered >= self.allow:
                    await self.cond.wait()
            finally:
                self.held -= 1
                self.write()
            self.box.add(envelope.original_content)
            self.delivered += 1
            self.write()
        return "250 Message accepted for delivery"


async def main():
    host, port, maildir, state = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    loop = asyncio.get_running_loop()
    gate = Gate(maildir, state)
    server = await loop.create_server(lambda: SMTP(gate, hostname="gate.test"), host, port)

    def read_stdin():
        for line in sys.stdin:
            if line.strip():
                asyncio.run_coroutine_threadsafe(gate.command(line), loop).result()
        # The test went away: so does the server.
        loop.call_soon_threadsafe(server.close)

    threading.Thread(target=read_stdin, daemon=True).start()
    async with server:
        try:
            await server.serve_forever()
        except asyncio.CancelledError:
            pass


asyncio.run(main())
