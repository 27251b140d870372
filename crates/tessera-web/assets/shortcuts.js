/* Tessera – keyboard shortcuts of the queue and ticket pages (`agent/_shortcuts.html`):
 * j/k move through the queue's rows, Enter opens the marked ticket, / searches, c claims,
 * r replies, n writes a note, ? shows the help. Never while typing in a field (Esc leaves
 * it), never with Ctrl/Alt/Meta. Rows are looked up at each key press, so a queue list
 * swapped in live works the same. Written for CSP `script-src 'self'`. */
(() => {
  'use strict';

  const help = document.getElementById('shortcuts');
  document.querySelectorAll('[data-shortcuts-open]').forEach((b) => {
    b.addEventListener('click', () => help?.showModal?.());
  });

  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable ||
      el instanceof HTMLTextAreaElement ||
      el instanceof HTMLSelectElement ||
      (el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(el.type)));

  const rows = () => Array.from(document.querySelectorAll('#queue-list tbody tr[data-href]'));
  const current = (list) => list.findIndex((r) => r.classList.contains('is-current') || r.contains(document.activeElement));

  function mark(list, i) {
    list.forEach((r) => r.classList.remove('is-current'));
    const row = list[i];
    row.classList.add('is-current');
    const link = row.querySelector('.col-number a') || row.querySelector('a');
    (link || row).focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  function focusField(selector) {
    const field = document.querySelector(selector);
    if (!field) return false;
    field.scrollIntoView({ block: 'center' });
    field.focus();
    return true;
  }

  const searchField = '#f-q';
  if (location.hash === '#search') focusField(searchField);

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target;
    if (typing(target)) {
      if (e.key === 'Escape' && !target.closest('dialog')) target.blur();
      return;
    }
    if (document.querySelector('dialog[open]')) {
      if (e.key === '?' && help?.open) { e.preventDefault(); help.close(); }
      return;
    }
    const list = rows();
    let handled = true;
    switch (e.key) {
      case 'j':
      case 'k': {
        if (!list.length) { handled = false; break; }
        const at = current(list);
        const next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + (e.key === 'j' ? 1 : -1)));
        mark(list, next);
        break;
      }
      case 'Enter': {
        // A focused link or button opens by itself.
        if (target instanceof HTMLAnchorElement || target instanceof HTMLButtonElement) { handled = false; break; }
        const at = current(list);
        if (at < 0) { handled = false; break; }
        location.href = list[at].dataset.href;
        break;
      }
      case '/':
        if (!focusField(searchField)) location.href = '/agent/queue/open#search';
        break;
      case 'c': {
        const claim = document.querySelector('[data-shortcut="claim"]');
        if (claim) claim.click(); else handled = false;
        break;
      }
      case 'r':
        handled = focusField('#reply-form textarea[name="body"], #reply-body');
        break;
      case 'n':
        handled = focusField('#note-body');
        break;
      case '?':
        help?.showModal?.();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
})();
