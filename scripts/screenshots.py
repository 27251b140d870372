"""Screenshots of Tessera's main pages at desktop and phone width (run by scripts/screenshots).

usage: screenshots.py BASE_URL OUT_DIR

Against a `tessera serve` with demo data: a requester opens a ticket with a dropped file, the
administrator `demo-admin` answers it, and each main page is saved as OUT_DIR/NAME-desktop.png
(1280 px) and OUT_DIR/NAME-phone.png (390 px), as much of the page as fits in MAX_HEIGHT.
"""

import os
import shutil
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE, OUT = sys.argv[1].rstrip("/"), sys.argv[2]
WIDTHS = {"desktop": 1280, "phone": 390}
MAX_HEIGHT = {"desktop": 1700, "phone": 1800}
DEMO_PASSWORD = "demo-passwort-123"


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("TESSERA_TEST_CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=de-DE",
                "--no-first-run", "--disable-sync", "--disable-background-networking",
                f"--user-data-dir={tempfile.mkdtemp(prefix='tessera-shots-')}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    b = webdriver.Chrome(options=opts, service=Service(executable_path=driver))
    b.set_window_size(WIDTHS["desktop"], 900)
    return b


def wait_for(b, what, check, timeout=60):
    WebDriverWait(b, timeout).until(lambda _: check(), message=f"waiting for {what}")


def shoot(b, name):
    """Saves the page at both widths, leaving the window at the desktop's."""
    b.execute_script("document.activeElement && document.activeElement.blur()")
    for kind, width in WIDTHS.items():
        b.set_window_size(width, 900)
        wait_for(b, f"{width} px", lambda: b.execute_script("return window.innerWidth") == width)
        height = b.execute_script("return document.documentElement.scrollHeight")
        b.set_window_size(width, min(height, MAX_HEIGHT[kind]))
        b.execute_script("window.scrollTo(0, 0)")
        # Two frames, so that the layout after the resize is painted.
        b.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done))")
        path = os.path.join(OUT, f"{name}-{kind}.png")
        b.save_screenshot(path)
        print(f"  {path}")
    b.set_window_size(WIDTHS["desktop"], 900)


def drop_file(b, name, size):
    b.execute_script(
        """const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(arguments[1])], arguments[0]));
        const zone = document.querySelector('.dropzone-label');
        for (const t of ['dragenter', 'dragover', 'drop'])
          zone.dispatchEvent(new DragEvent(t, {dataTransfer: dt, bubbles: true, cancelable: true}));""",
        name, size)


def main():
    requester, agent = browser(), browser()
    try:
        # The portal: a new ticket with a dropped file, and its receipt.
        requester.get(f"{BASE}/open")
        requester.find_element(By.ID, "email").send_keys("max.mueller@example.org")
        requester.find_element(By.ID, "name").send_keys("Max Müller")
        requester.find_element(By.CSS_SELECTOR, "#help_topic_id option:nth-child(2)").click()
        requester.find_element(By.ID, "subject").send_keys("Plakat für das Nikolausschwimmen")
        requester.find_element(By.ID, "body").send_keys(
            "Hallo,\n\nfür das Nikolausschwimmen am 6. Dezember brauchen wir ein Plakat (A2) "
            "und einen Flyer. Eine Skizze hängt an.\n\nViele Grüße\nMax Müller")
        drop_file(requester, "Skizze Plakat.pdf", 184_320)
        shoot(requester, "portal-new-ticket")
        requester.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
        wait_for(requester, "the receipt", lambda: "created=1" in requester.current_url)
        number = requester.current_url.split("/tickets/")[1].split("?")[0]
        shoot(requester, "portal-receipt")

        # The agent area: the queue, the ticket answered, the administration.
        agent.get(f"{BASE}/agent/login")
        agent.find_element(By.ID, "username").send_keys("demo-admin")
        agent.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        agent.find_element(By.CSS_SELECTOR, "form[action='/agent/login'] button[type=submit]").click()
        wait_for(agent, "the queue", lambda: "/agent/queue/" in agent.current_url)
        shoot(agent, "agent-queue")
        agent.get(f"{BASE}/agent/tickets/{number}")
        agent.find_element(By.CSS_SELECTOR, "button[name='do'][value='claim']").click()
        wait_for(agent, "the claim", lambda: "done=claim" in agent.current_url)
        agent.find_element(By.ID, "reply-body").send_keys(
            "Guten Tag Herr Müller,\n\ndanke für die Skizze! Den ersten Entwurf des Plakats "
            "schicken wir Ihnen bis Freitag.\n\nViele Grüße")
        agent.find_element(By.CSS_SELECTOR, "form[action$='/reply'] button[type=submit].primary").click()
        wait_for(agent, "the reply", lambda: "done=reply" in agent.current_url)
        agent.get(f"{BASE}/agent/tickets/{number}")
        shoot(agent, "agent-ticket")
        agent.get(f"{BASE}/agent/admin")
        shoot(agent, "admin-overview")

        # The requester's ticket page with the answer.
        requester.get(f"{BASE}/tickets/{number}")
        shoot(requester, "portal-ticket")
    finally:
        requester.quit()
        agent.quit()


if __name__ == "__main__":
    main()
