/* Tessera – progressive enhancement for file uploads.
 * Every page works without this file (forms post normally, the server checks
 * everything); this only adds a file list, drag & drop, early size/type checks
 * and a progress bar. Written for CSP `script-src 'self'`: no eval, no inline
 * handlers, no style attributes (element.style only). */
(() => {
  'use strict';

  // Without a DataTransfer constructor a FileList cannot be written back into
  // the input, so accumulating/removing files is impossible. Then the native
  // input stays visible and we only add the list and the checks.
  const canSetFiles = (() => {
    try {
      const dt = new DataTransfer();
      dt.items.add(new File([''], 'probe.txt'));
      return dt.files.length === 1;
    } catch { return false; }
  })();

  const dropzones = new WeakMap(); // element -> controller; also prevents double init
  const forms = new WeakSet();
  const busy = new WeakSet(); // forms with an upload in flight

  // Unknown {keys} stay visible so a missing translation value gets noticed.
  const fill = (template, values) =>
    (template || '').replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text; // never innerHTML: file names are user input
    return node;
  };

  // Decimal separator follows the page language ("1,2 MB" in German).
  function formatSize(bytes) {
    const units = ['B', 'KB', 'MB', 'GB'];
    let value = bytes;
    let unit = 0;
    for (; value >= 1024 && unit < units.length - 1; unit += 1) value /= 1024;
    const opts = { minimumFractionDigits: unit ? 1 : 0, maximumFractionDigits: unit ? 1 : 0 };
    let nf;
    try { nf = new Intl.NumberFormat(document.documentElement.lang || undefined, opts); }
    catch { nf = new Intl.NumberFormat(undefined, opts); } // malformed lang attribute
    return `${nf.format(value)}\u00a0${units[unit]}`; // never break "1,4 | MB"
  }

  const hasFiles = (e) => Array.from(e.dataTransfer?.types || []).includes('Files');

  // Dropped folders arrive as pseudo-files that make the upload fail later.
  const droppedFiles = (e) => {
    const items = Array.from(e.dataTransfer.items || []);
    if (!items.length) return Array.from(e.dataTransfer.files);
    return items
      .filter((item) => item.kind === 'file' && !item.webkitGetAsEntry?.()?.isDirectory)
      .map((item) => item.getAsFile())
      .filter(Boolean);
  };

  function initDropzone(zone) {
    const input = zone.querySelector('.dropzone-input');
    const list = zone.querySelector('.file-list');
    const status = zone.querySelector('.dropzone-status');
    if (dropzones.has(zone) || !input || !list || !status) return;

    const data = zone.dataset;
    const maxBytes = Number(data.maxBytes) || Infinity;
    // Empty data-allowed means "everything"; compare lower-case extensions.
    const allowed = (data.allowed || '').split(',').map((s) => s.trim().toLowerCase())
      .filter(Boolean).map((s) => (s.startsWith('.') ? s : `.${s}`));
    const key = (f) => `${f.name}\u0000${f.size}\u0000${f.lastModified}`;
    const typeOk = (f) => {
      const dot = f.name.lastIndexOf('.'); // > 0: ".env" has no extension, as on the server
      return !allowed.length || (dot > 0 && allowed.includes(f.name.slice(dot).toLowerCase()));
    };
    let files = [];
    status.tabIndex = -1; // a blocked submit moves focus to the explanation

    function sync() {
      if (!canSetFiles) return;
      try {
        const dt = new DataTransfer();
        files.forEach((f) => dt.items.add(f));
        input.files = dt.files; // fires no "change", so no feedback loop
      } catch { /* the browser's own selection still gets submitted */ }
    }

    function render() {
      const errors = [];
      const total = files.reduce((sum, f) => sum + f.size, 0);
      list.replaceChildren(...files.map((file, index) => {
        const li = document.createElement('li');
        li.append(el('span', 'file-name', file.name), ' ', el('span', 'file-size', formatSize(file.size)));
        if (!typeOk(file)) {
          li.classList.add('is-invalid');
          errors.push(fill(data.msgType, { name: file.name }));
        }
        if (canSetFiles) {
          const remove = el('button', 'file-remove', '×');
          remove.type = 'button';
          remove.setAttribute('aria-label', fill(data.msgRemove, { name: file.name }));
          remove.addEventListener('click', () => removeAt(index));
          li.append(' ', remove);
        }
        return li;
      }));
      if (total > maxBytes) errors.unshift(fill(data.msgTooLarge, { max: formatSize(maxBytes) }));
      const template = files.length === 1 && data.msgTotalOne ? data.msgTotalOne : data.msgTotal;
      const summary = files.length ? fill(template, { count: files.length, size: formatSize(total) }) : '';
      status.textContent = [...errors, summary].filter(Boolean).join('\n'); // one per line (CSS pre-line)
      status.classList.toggle('is-error', errors.length > 0);
      zone.classList.toggle('has-error', errors.length > 0); // read by the submit guard
    }

    function add(newFiles) {
      if (!canSetFiles) return;
      const seen = new Set(files.map(key));
      newFiles.forEach((f) => {
        if (!seen.has(key(f))) files.push(f);
        seen.add(key(f));
      });
      sync();
      render();
    }

    function removeAt(index) {
      files.splice(index, 1);
      sync();
      render();
      // Keep keyboard users in the list instead of dropping focus to <body>.
      const buttons = list.querySelectorAll('.file-remove');
      (buttons[index] || buttons[index - 1] || input).focus();
    }

    // Each pick replaces the browser's selection; we merge it into ours.
    input.addEventListener('change', () => {
      if (canSetFiles) return add(Array.from(input.files));
      files = Array.from(input.files);
      render();
    });

    if (canSetFiles) {
      zone.classList.add('is-enhanced');
      let depth = 0; // dragenter/leave also fire for children; count to avoid flicker
      const onDrag = (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault(); // without this on dragover the drop event never fires
        if (e.type === 'dragenter') depth += 1;
        if (e.type === 'dragover') e.dataTransfer.dropEffect = 'copy';
        zone.classList.add('is-dragover');
      };
      zone.addEventListener('dragenter', onDrag);
      zone.addEventListener('dragover', onDrag);
      zone.addEventListener('dragleave', () => {
        if (depth > 0 && --depth === 0) zone.classList.remove('is-dragover');
      });
      zone.addEventListener('drop', (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth = 0;
        zone.classList.remove('is-dragover');
        add(droppedFiles(e));
      });
    }

    files = Array.from(input.files || []); // Firefox restores file inputs on "back"
    if (files.length) render();
    dropzones.set(zone, { input, add });
  }

  /** Swaps in the server's re-rendered <main>; false if the response is unusable. */
  function showResponse(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const fresh = doc.querySelector('main#main');
    const main = document.querySelector('main#main');
    if (!fresh || !main) return false;

    // File inputs cannot be pre-filled by the server, so a validation error in
    // another field would otherwise silently discard the chosen attachments.
    const kept = new Map();
    main.querySelectorAll('[data-dropzone]').forEach((zone) => {
      const c = dropzones.get(zone);
      if (c?.input.name && c.input.files.length) kept.set(c.input.name, Array.from(c.input.files));
    });

    main.innerHTML = fresh.innerHTML; // inert markup from our own server (DOMParser runs no scripts)
    if (doc.title) document.title = doc.title;
    init(main);
    main.querySelectorAll('[data-dropzone]').forEach((zone) => {
      const c = dropzones.get(zone);
      if (c && kept.has(c.input.name)) c.add(kept.get(c.input.name));
    });

    // Move focus to what needs attention so screen readers announce the change.
    const target = main.querySelector('.alert.error') || main.querySelector('[aria-invalid="true"]')
      || main.querySelector('.alert, h1');
    if (target) {
      if (!target.matches('a[href], button, input, select, textarea, [tabindex]')) target.tabIndex = -1;
      target.focus();
    }
    return true;
  }

  function upload(form, submitter) {
    const progress = form.querySelector('.progress');
    const bar = progress?.querySelector('.progress-bar');
    const label = progress?.querySelector('.progress-label');
    const buttons = form.querySelectorAll('button:not([type="button"]):not([type="reset"]), input[type="submit"]');
    // Built before disabling so the submitter's name/value is included;
    // browsers that predate the second argument simply ignore it.
    const body = new FormData(form, submitter || null);

    const setBusy = (on) => {
      if (on) busy.add(form);
      else busy.delete(form);
      if (progress) progress.hidden = !on;
      buttons.forEach((b) => { b.disabled = on; });
    };
    const setProgress = (percent) => {
      if (bar) bar.style.width = `${percent}%`;
      bar?.setAttribute('aria-valuenow', String(percent));
      if (label) label.textContent = fill(form.dataset.msgUploading, { percent });
    };
    const fail = () => {
      setBusy(false);
      const alert = el('div', 'alert error', form.dataset.msgFailed || 'The upload failed. Please try again.');
      alert.setAttribute('role', 'alert');
      alert.dataset.uploadAlert = '';
      alert.tabIndex = -1;
      form.prepend(alert);
      alert.focus();
    };

    form.querySelector('[data-upload-alert]')?.remove(); // only one failure notice at a time
    setProgress(0);
    setBusy(true);

    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) setProgress(Math.round((e.loaded / e.total) * 100));
    });
    ['error', 'abort', 'timeout'].forEach((type) => xhr.addEventListener(type, fail));
    xhr.addEventListener('load', () => {
      const noHash = (url) => url.split('#')[0];
      // A different final URL means the server redirected: the post succeeded.
      // Buttons stay disabled while the next page loads.
      if (xhr.responseURL && noHash(xhr.responseURL) !== noHash(form.action)) {
        location.assign(xhr.responseURL);
      } else if (!showResponse(xhr.responseText)) {
        fail();
      }
    });
    xhr.send(body);
  }

  function onSubmit(form, event) {
    // A client-side check failed: keep the form and explain. (Server re-checks.)
    const problem = form.querySelector('[data-dropzone].has-error .dropzone-status');
    if (problem) {
      event.preventDefault();
      problem.focus();
      return;
    }
    if (!form.hasAttribute('data-upload-form')) return; // plain, native submit
    event.preventDefault();
    if (!busy.has(form)) upload(form, event.submitter);
  }

  // ---- Presence: "Anna is also viewing this ticket" -------------------------
  // The server renders the first state; we only keep it fresh. Polling pauses
  // while the tab is hidden and resumes with an immediate check.
  const PRESENCE_INTERVAL = 20000;
  const presences = new WeakSet(); // prevents double init after a <main> swap

  function initPresence(node) {
    const url = node.dataset.presenceUrl;
    if (!url || presences.has(node)) return;
    presences.add(node);
    let timer = 0;
    let stopped = false;
    let inFlight = false;

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && !document.hidden) timer = setTimeout(poll, PRESENCE_INTERVAL);
    };
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };

    async function poll() {
      if (!node.isConnected) return stop(); // replaced by showResponse(); its successor polls
      if (stopped || inFlight || document.hidden) return;
      inFlight = true;
      try {
        const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
        if ([401, 403, 404].includes(res.status)) return stop();
        // An expired session answers with a redirect to the sign-in page:
        // that HTML must never end up in the notice, and polling is pointless.
        if (res.redirected || /html/i.test(res.headers.get('Content-Type') || '')) return stop();
        if (!res.ok) return; // 5xx etc.: keep the last state, try again later
        const text = (await res.text()).trim();
        if (text) {
          if (node.textContent !== text) node.textContent = text; // unchanged: no repeat announcement
          node.hidden = false;
        } else {
          node.hidden = true;
        }
      } catch { /* offline or server restarting: try again next round */ } finally {
        inFlight = false;
        schedule();
      }
    }

    function onVisibility() {
      if (document.hidden) clearTimeout(timer);
      else poll();
    }

    document.addEventListener('visibilitychange', onVisibility);
    schedule(); // the page arrived with a fresh state; first check after one interval
  }

  // ---- Custom fields: only the chosen help topic's fieldset ------------------
  // The server shows the chosen topic's fields and renders the others hidden and
  // disabled (disabled controls are not submitted); this keeps that true while the
  // requester changes the topic. Without JS a submit brings the right fieldset back.
  const topicSelects = new WeakSet();

  function initTopicFields(select) {
    const form = select.form;
    if (!form || topicSelects.has(select) || !form.querySelector('[data-topic-fields]')) return;
    topicSelects.add(select);
    const sync = () => {
      form.querySelectorAll('[data-topic-fields]').forEach((fieldset) => {
        const chosen = fieldset.dataset.topicFields === select.value;
        fieldset.hidden = !chosen;
        fieldset.disabled = !chosen;
      });
    };
    select.addEventListener('change', sync);
    sync(); // the browser may have restored another choice (back button)
  }

  // "Insert" of a canned response: without script the form asks for the page again with
  // the text in the reply box, which would throw away what the agent had typed. With
  // script the text goes in where the cursor was (at the end if the box was never used),
  // and nothing is reloaded.
  function initCanned(form) {
    const box = document.getElementById(form.dataset.cannedInto);
    const select = form.querySelector('select');
    if (!box || !select) return;
    let used = false;
    box.addEventListener('focus', () => { used = true; });
    form.addEventListener('submit', (e) => {
      const option = select.selectedOptions[0];
      if (!option || option.dataset.text === undefined) return;
      e.preventDefault();
      const text = option.dataset.text;
      const start = used ? box.selectionStart : box.value.length;
      const end = used ? box.selectionEnd : box.value.length;
      const before = box.value.slice(0, start);
      const after = box.value.slice(end);
      const gap = before && !before.endsWith('\n') ? '\n\n' : '';
      box.value = before + gap + text + after;
      const caret = (before + gap + text).length;
      box.focus();
      box.setSelectionRange(caret, caret);
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  function init(root) {
    root.querySelectorAll('form[data-canned-into]').forEach(initCanned);
    root.querySelectorAll('select[name="help_topic_id"]').forEach(initTopicFields);
    root.querySelectorAll('[data-dropzone]').forEach(initDropzone);
    root.querySelectorAll('[data-presence-url]').forEach(initPresence);
    root.querySelectorAll('form').forEach((form) => {
      if (forms.has(form)) return;
      if (!form.hasAttribute('data-upload-form') && !form.querySelector('[data-dropzone]')) return;
      forms.add(form);
      form.addEventListener('submit', (e) => onSubmit(form, e));
    });
  }

  // A file dropped beside the drop area would make the browser open it and
  // throw away the half-filled form; swallow such drops instead.
  ['dragover', 'drop'].forEach((type) => document.addEventListener(type, (e) => {
    if (!hasFiles(e) || !document.querySelector('.dropzone.is-enhanced')) return;
    if (e.target instanceof Element && e.target.closest('[data-dropzone]')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'none';
  }));

  init(document); // loaded with `defer`, so the document is parsed
})();
