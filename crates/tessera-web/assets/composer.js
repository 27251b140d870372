/* Tessera – the agents' composer, as progressive enhancement.
 * Without this file every form still works: the text box is plain Markdown, the
 * canned-response form asks for the page again, files are chosen with the file input.
 * With it: a toolbar (bold, italic, list, link, quote; Ctrl+B / Ctrl+I / Ctrl+K), a
 * preview rendered by the server's own Markdown renderer (POST /agent/preview), drafts
 * kept per box in localStorage, pasted or dropped images added to the form's files,
 * a filter for canned responses, and contact suggestions on the new-ticket page.
 * Written for CSP `script-src 'self'`: no eval, no inline handlers, no innerHTML of
 * anything but the server's own rendered preview. */
(() => {
  'use strict';

  const DRAFT_PREFIX = 'tessera-draft:';
  const SENT_KEY = 'tessera-draft-sent';
  const fill = (template, values) =>
    (template || '').replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));

  const storage = (() => {
    try {
      const s = window.localStorage;
      s.setItem('tessera-probe', '1');
      s.removeItem('tessera-probe');
      return s;
    } catch { return null; } // private mode, disabled storage: no drafts, nothing breaks
  })();

  // ---- Editing the text: wrap or prefix the selection, as one undoable step ------------
  function replaceSelection(box, text, selectFrom, selectTo) {
    const start = box.selectionStart;
    box.focus();
    // execCommand keeps the browser's undo history; setRangeText where it is missing.
    if (!document.execCommand || !document.execCommand('insertText', false, text)) {
      box.setRangeText(text, box.selectionStart, box.selectionEnd, 'end');
    }
    box.setSelectionRange(start + selectFrom, start + selectTo);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function wrap(box, marker) {
    const { selectionStart: s, selectionEnd: e, value } = box;
    const chosen = value.slice(s, e);
    // Whitespace around the selection stays outside the markers ("**word** ", not "**word **").
    const lead = chosen.match(/^\s*/)[0];
    const trail = chosen.slice(lead.length).match(/\s*$/)[0];
    const core = chosen.slice(lead.length, chosen.length - trail.length);
    const text = lead + marker + core + marker + trail;
    replaceSelection(box, text, lead.length + marker.length, lead.length + marker.length + core.length);
  }

  function prefixLines(box, prefix) {
    const { value } = box;
    const s = value.lastIndexOf('\n', box.selectionStart - 1) + 1; // whole lines
    let e = value.indexOf('\n', box.selectionEnd);
    if (e === -1) e = value.length;
    if (box.selectionEnd > s && value[box.selectionEnd - 1] === '\n') e = box.selectionEnd - 1;
    box.setSelectionRange(s, e);
    const lines = value.slice(s, e).split('\n').map((l) => prefix + l).join('\n');
    replaceSelection(box, lines, lines.length, lines.length);
  }

  function link(box, msgText) {
    const chosen = box.value.slice(box.selectionStart, box.selectionEnd);
    const label = chosen || msgText || 'link';
    const text = `[${label}](https://)`;
    const url = label.length + 3; // after "[label]("
    replaceSelection(box, text, url, url + 'https://'.length);
  }

  const ACTIONS = {
    bold: (box) => wrap(box, '**'),
    italic: (box) => wrap(box, '_'),
    list: (box) => prefixLines(box, '- '),
    quote: (box) => prefixLines(box, '> '),
    link: (box, data) => link(box, data.msgLinkText),
  };

  // ---- Drafts: one per box and page, restored on load, gone after a successful send ---
  function initDraft(box, bar) {
    const key = bar.dataset.draftKey;
    if (!storage || !key) return;
    const id = DRAFT_PREFIX + key;
    const form = box.form;
    // A send that redirected here succeeded ("done=reply" in the address, say): its draft
    // is done. Anything else (a refused form, another form's success) keeps it.
    try {
      const sent = window.sessionStorage.getItem(SENT_KEY);
      const done = new URLSearchParams(location.search).get('done');
      if (sent === id && done && done === bar.dataset.draftDone) {
        storage.removeItem(id);
        window.sessionStorage.removeItem(SENT_KEY);
      }
    } catch { /* no session storage: the draft stays until it is discarded */ }

    const saved = storage.getItem(id);
    if (saved && !box.value.trim()) {
      box.value = saved;
      const status = bar.querySelector('.composer-status');
      if (status) {
        status.textContent = bar.dataset.msgRestored || '';
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'button small composer-discard';
        discard.textContent = bar.dataset.msgDiscard || '×';
        discard.addEventListener('click', () => {
          storage.removeItem(id);
          box.value = '';
          status.textContent = '';
          box.focus();
        });
        status.append(' ', discard);
      }
    }
    let timer = 0;
    const save = () => {
      clearTimeout(timer);
      try {
        if (box.value.trim()) storage.setItem(id, box.value);
        else storage.removeItem(id);
      } catch { /* storage full: keep typing, nothing is lost from the page */ }
    };
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
    // Leaving the page saves at once (the last keystrokes before a reload count too).
    window.addEventListener('pagehide', save);
    form?.addEventListener('submit', () => {
      save();
      try { window.sessionStorage.setItem(SENT_KEY, id); } catch { /* see above */ }
    });
  }

  // ---- Preview: the server's renderer, so what the agent sees is what will be sent ----
  function initTabs(box, bar) {
    const [write, preview] = bar.querySelectorAll('.composer-tab');
    const panel = document.getElementById(`${box.id}-preview`);
    const tools = bar.querySelector('.composer-tools');
    if (!write || !preview || !panel) return;
    const csrf = box.form?.querySelector('input[name="csrf"]')?.value || '';
    let showing = false;

    const show = async (wantPreview) => {
      showing = wantPreview;
      write.setAttribute('aria-selected', String(!wantPreview));
      preview.setAttribute('aria-selected', String(wantPreview));
      write.tabIndex = wantPreview ? -1 : 0;
      preview.tabIndex = wantPreview ? 0 : -1;
      tools.hidden = wantPreview;
      box.hidden = wantPreview;
      panel.hidden = !wantPreview;
      if (!wantPreview) return;
      if (!box.value.trim()) {
        panel.textContent = bar.dataset.msgEmpty || '';
        return;
      }
      panel.setAttribute('aria-busy', 'true');
      try {
        const res = await fetch('/agent/preview', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, body: box.value }),
        });
        const type = res.headers.get('Content-Type') || '';
        if (!res.ok || res.redirected || !/html/i.test(type)) throw new Error(String(res.status));
        const html = await res.text();
        // The server's renderer is the thread's own (sanitised); parsed inert, then moved in.
        const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
        if (showing) panel.replaceChildren(...doc.body.firstChild.childNodes);
      } catch {
        panel.textContent = bar.dataset.msgFailed || '';
      } finally {
        panel.removeAttribute('aria-busy');
      }
    };
    write.addEventListener('click', () => { show(false); box.focus(); });
    preview.addEventListener('click', () => show(true));
    // Arrow keys move between the two tabs, as for every tab list.
    [write, preview].forEach((tab) => tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next = tab === write ? preview : write;
      next.focus();
      next.click();
    }));
    // Sending from the preview sends the text (the box is only hidden, never emptied).
    box.form?.addEventListener('submit', () => { if (showing) show(false); });
  }

  // ---- Images pasted or dropped into the box become files of the form ---------------
  function initImages(box, bar) {
    const form = box.form;
    const input = form?.querySelector('.dropzone-input');
    const status = bar.querySelector('.composer-status');
    if (!input) return;
    const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const add = (files) => {
      const images = files.filter((f) => /^image\//.test(f.type));
      if (!images.length) return false;
      let dt;
      try { dt = new DataTransfer(); } catch { return false; }
      Array.from(input.files || []).forEach((f) => dt.items.add(f));
      images.forEach((f, i) => {
        // A pasted screenshot is called "image.png" by every browser: give it a name of its own.
        const ext = (f.type.split('/')[1] || 'png').replace('jpeg', 'jpg').replace(/\W.*/, '');
        const generic = !f.name || /^image\.\w+$/i.test(f.name);
        const name = generic ? `bild-${stamp()}${images.length > 1 ? `-${i + 1}` : ''}.${ext}` : f.name;
        const file = generic ? new File([f], name, { type: f.type, lastModified: Date.now() }) : f;
        dt.items.add(file);
        if (status) status.textContent = fill(bar.dataset.msgImage, { name });
      });
      input.files = dt.files;
      // app.js merges the input's files into its list on "change" (and checks size and type).
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    };
    box.addEventListener('paste', (e) => {
      const files = Array.from(e.clipboardData?.files || []);
      if (files.length && add(files)) e.preventDefault();
    });
    box.addEventListener('dragover', (e) => {
      if (Array.from(e.dataTransfer?.types || []).includes('Files')) e.preventDefault();
    });
    box.addEventListener('drop', (e) => {
      const files = Array.from(e.dataTransfer?.files || []);
      if (files.length) {
        e.preventDefault();
        e.stopPropagation();
        add(files);
      }
    });
  }

  function initComposer(bar) {
    const box = document.getElementById(bar.dataset.composer);
    if (!box || bar.dataset.ready) return;
    bar.dataset.ready = '1';
    bar.hidden = false;
    bar.querySelectorAll('[data-md]').forEach((button) => {
      button.addEventListener('click', () => ACTIONS[button.dataset.md]?.(box, bar.dataset));
    });
    box.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const action = { b: 'bold', i: 'italic', k: 'link' }[e.key.toLowerCase()];
      if (!action) return;
      e.preventDefault();
      ACTIONS[action](box, bar.dataset);
    });
    initDraft(box, bar);
    initTabs(box, bar);
    initImages(box, bar);
  }

  // ---- Canned responses: typing filters the list -------------------------------------
  function initCannedFilter(input) {
    const field = input.closest('.canned-filter-field');
    const select = input.form?.querySelector('select[name="canned"]');
    if (!field || !select || input.dataset.ready) return;
    input.dataset.ready = '1';
    field.hidden = false;
    const options = Array.from(select.options);
    const fold = (s) => s.toLocaleLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    input.addEventListener('input', () => {
      const q = fold(input.value.trim());
      let first = null;
      options.forEach((o) => {
        const hit = !q || fold(`${o.text} ${o.dataset.text || ''}`).includes(q);
        o.hidden = !hit;
        o.disabled = !hit;
        if (hit && !first) first = o;
      });
      if (first) select.value = first.value;
      input.setCustomValidity(first ? '' : input.dataset.msgNone || '');
    });
    // Enter in the filter inserts the first match, as the "Insert" button does.
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      input.form.requestSubmit();
    });
  }

  // ---- Contacts: suggestions while typing the requester's name or address -------------
  function initContacts(row) {
    const url = row.dataset.contactSearch;
    const email = row.querySelector('input[name="email"]');
    const name = row.querySelector('input[name="name"]');
    const list = row.querySelector('.contact-suggestions');
    if (!url || !email || !name || !list || row.dataset.ready) return;
    row.dataset.ready = '1';
    let timer = 0;
    let asked = '';
    const close = () => { list.hidden = true; list.replaceChildren(); };
    const lookUp = async (q) => {
      asked = q;
      try {
        const res = await fetch(`${url}?q=${encodeURIComponent(q)}`, {
          credentials: 'same-origin', headers: { Accept: 'application/json' },
        });
        if (!res.ok || !/json/i.test(res.headers.get('Content-Type') || '')) return close();
        const found = await res.json();
        if (asked !== q) return; // a newer question is on its way
        if (!found.length) return close();
        list.replaceChildren(...found.map((c) => {
          const li = document.createElement('li');
          const pick = document.createElement('button');
          pick.type = 'button';
          pick.className = 'contact-pick';
          pick.textContent = `${c.name} <${c.email}>`; // never innerHTML: contacts are user input
          pick.addEventListener('click', () => {
            email.value = c.email;
            name.value = c.name;
            close();
            row.closest('form')?.querySelector('select[name="help_topic_id"]')?.focus();
          });
          li.append(pick);
          return li;
        }));
        list.hidden = false;
      } catch { close(); }
    };
    [email, name].forEach((field) => field.addEventListener('input', () => {
      clearTimeout(timer);
      const q = field.value.trim();
      if (q.length < 2) return close();
      timer = setTimeout(() => lookUp(q), 200);
    }));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !list.hidden) { e.preventDefault(); close(); }
      if (e.key === 'ArrowDown' && !list.hidden && (e.target === email || e.target === name)) {
        e.preventDefault();
        list.querySelector('button')?.focus();
      }
    });
  }

  function init(root) {
    root.querySelectorAll('[data-composer]').forEach(initComposer);
    root.querySelectorAll('.canned-filter').forEach(initCannedFilter);
    root.querySelectorAll('[data-contact-search]').forEach(initContacts);
  }

  init(document);
  // app.js swaps <main> for the server's answer to a refused form: enhance the new one.
  const main = document.querySelector('main#main');
  if (main && 'MutationObserver' in window) {
    new MutationObserver(() => init(main)).observe(main, { childList: true });
  }
})();
