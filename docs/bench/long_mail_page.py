"""Page size of the agent's ticket page for a 40 MB one-line mail (issue 22).

Usage: python docs/bench/long_mail_page.py PATH/TO/tessera [BYTES]
A fresh data folder, the mail piped to `tessera mail ingest`, an administrator created on
the command line, `tessera serve`, sign-in (and the forced password change), the page.
"""
import os, re, socket, subprocess, sys, tempfile, time
import requests

binary = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 40_000_000
d = tempfile.mkdtemp(prefix="plain-measure-")
env = dict(os.environ, TESSERA_LOG="warn")
base = [binary, "--data-dir", d]
line = ("Zeile ohne Umbruch __init__.py https://example.org/x " * (size // 52 + 1))[:size]
mail = ("From: Max <max@example.org>\r\nTo: helpdesk@example.org\r\nSubject: Riesig\r\n"
        "Message-ID: <huge@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + line + "\r\n").encode()
r = subprocess.run(base + ["mail", "ingest"], input=mail, env=env, capture_output=True)
print("ingest:", r.returncode, r.stdout.decode().strip()[:200], r.stderr.decode().strip()[:300])
r = subprocess.run(base + ["agent", "create", "--username", "chefin", "--email", "chefin@example.org",
                           "--name", "Chefin", "--admin"], env=env, capture_output=True, text=True)
pw = r.stdout.split("one-time password: ")[1].strip()
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
srv = subprocess.Popen(base + ["serve", "--listen", f"127.0.0.1:{port}"], env=env)
url = f"http://127.0.0.1:{port}"
try:
    for _ in range(200):
        try:
            requests.get(url + "/", timeout=1); break
        except Exception:
            time.sleep(0.1)
    c = requests.Session()
    tok = lambda page: re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    page = c.get(url + "/agent/login").text
    c.post(url + "/agent/login", data={"csrf": tok(page), "username": "chefin", "password": pw})
    page = c.get(url + "/agent/password").text
    new = "ein langes geheimes Passwort fuer die Messung"
    c.post(url + "/agent/password", data={"csrf": tok(page), "current": pw, "new": new, "repeat": new})
    queue = c.get(url + "/agent/queue/open").text
    number = re.search(r'/agent/tickets/([^"/]+)"', queue).group(1)
    t0 = time.time()
    res = c.get(url + f"/agent/tickets/{number}")
    print(f"agent page of ticket {number}: HTTP {res.status_code}, {len(res.content)} bytes, {time.time()-t0:.2f} s")
finally:
    srv.terminate(); srv.wait()
    subprocess.run(["rm", "-rf", d])
