/* Tessera – live agent pages (progressive enhancement; every page works without it).
 * One EventSource per tab on /agent/events:
 *  - queue pages: an event re-fetches the same URL (coalesced, at most ~250 ms later) and
 *    swaps #queue-list and #queue-counts; the tab title shows the current queue's count;
 *  - ticket pages: an event for this ticket re-fetches it and swaps #thread only, so the
 *    reply form and anything typed stay as they are; a new entry shows a hint;
 *  - everywhere: the bell's unread count (#bell-count), and desktop notifications once the
 *    agent allowed them (a button on the notification list; never asked unprompted).
 * CSP `script-src 'self'`: no inline code, no eval, text only via textContent. */
(() => {
  'use strict';

  const bell = document.getElementById('bell');
  if (!bell || !window.EventSource || !window.fetch || !window.DOMParser) return;
  const msg = bell.dataset;
  const path = window.location.pathname;
  const queue = document.getElementById('queue-list') && document.getElementById('queue-counts');
  const ticketMatch = path.match(/^\/agent\/tickets\/([^/]+)$/);
  const ticket = ticketMatch && document.getElementById('thread')
    ? decodeURIComponent(ticketMatch[1]) : null;
  const baseTitle = document.title;
  const COALESCE_MS = 250;

  // --- the tab title -------------------------------------------------------------------
  let unseenEntries = 0; // ticket page: new entries while the tab was hidden
  function queueCount() {
    const current = document.querySelector('#queue-counts [aria-current="page"] .count');
    return current ? current.textContent.trim() : '';
  }
  function setTitle() {
    let n = '';
    if (queue) n = queueCount();
    else if (ticket && unseenEntries > 0) n = String(unseenEntries);
    document.title = n ? `(${n}) ${baseTitle}` : baseTitle;
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && unseenEntries) { unseenEntries = 0; setTitle(); }
  });
  setTitle();

  // --- re-fetching what is shown ---------------------------------------------------------
  let timer = null;
  let inFlight = false;
  let again = false;
  let newEntry = false;

  async function refresh() {
    timer = null;
    if (inFlight) { again = true; return; }
    inFlight = true;
    try {
      const res = await fetch(window.location.href, {
        credentials: 'same-origin', headers: { Accept: 'text/html' }, cache: 'no-store',
      });
      if (!res.ok || res.redirected) return; // signed out or gone: leave the page as it is
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      if (queue) swapQueue(doc);
      if (ticket) swapThread(doc);
    } catch { /* offline for a moment: the next event tries again */ } finally {
      inFlight = false;
      if (again) { again = false; schedule(); }
    }
  }

  function schedule() {
    if (!timer) timer = window.setTimeout(refresh, COALESCE_MS);
  }

  function swap(doc, id) {
    const fresh = doc.getElementById(id);
    const old = document.getElementById(id);
    if (!fresh || !old) return;
    // Keep ticked checkboxes of the bulk form across the swap.
    const ticked = new Set(Array.from(old.querySelectorAll('input[type=checkbox]:checked'))
      .map((c) => c.value));
    const focused = document.activeElement && old.contains(document.activeElement)
      ? document.activeElement.id : null;
    old.replaceWith(document.importNode(fresh, true));
    const now = document.getElementById(id);
    now.querySelectorAll('input[type=checkbox]').forEach((c) => {
      if (ticked.has(c.value)) c.checked = true;
    });
    if (focused) document.getElementById(focused)?.focus();
  }

  function swapQueue(doc) {
    swap(doc, 'queue-counts');
    swap(doc, 'queue-list');
    setTitle();
  }

  function swapThread(doc) {
    const before = document.querySelectorAll('#thread > li').length;
    swap(doc, 'thread');
    const after = document.querySelectorAll('#thread > li').length;
    // The stale-reply check compares with the newest entry seen: the hidden field is the
    // server's and moves only on a reload, so a reply still warns if others wrote since.
    if (newEntry && after > before) {
      const hint = document.getElementById('live-hint');
      if (hint) { hint.textContent = msg.msgNewEntry; hint.hidden = false; }
      if (document.hidden) { unseenEntries += after - before; setTitle(); }
    }
    newEntry = false;
  }

  // --- the bell -------------------------------------------------------------------------
  const count = document.getElementById('bell-count');
  let unread = null;
  function setUnread(n) {
    const grew = unread !== null && n > unread;
    unread = n;
    if (count) {
      count.textContent = n > 0 ? `${n} ${msg.msgUnread}` : '';
      count.hidden = n <= 0;
    }
    if (grew && window.Notification && Notification.permission === 'granted') {
      try { new Notification(msg.msgDesktop, { tag: 'tessera-unread' }); } catch { /* ignore */ }
    }
  }

  const allow = document.getElementById('desktop-allow');
  if (allow && window.Notification && Notification.permission === 'default') {
    allow.hidden = false;
    allow.addEventListener('click', () => {
      Notification.requestPermission().then(() => { allow.hidden = true; });
    });
  }

  // --- the stream -----------------------------------------------------------------------
  const source = new EventSource(msg.events);
  source.addEventListener('ticket', (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    if (queue) schedule();
    if (ticket && data.number === ticket) {
      if (data.kind === 'entry') newEntry = true;
      schedule();
    }
  });
  source.addEventListener('unread', (e) => setUnread(Number(e.data) || 0));
  source.addEventListener('reload', () => { if (queue || ticket) schedule(); });
  // When the session ends the server closes the stream and the retry is refused (a
  // redirect to the sign-in page): EventSource then stops by itself.
  window.addEventListener('pagehide', () => source.close());
})();
