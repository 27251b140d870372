/* Tessera – small helpers of the agent pages. Every page works without this file:
 * the menu is then always open, each row's checkbox is ticked one by one, and revoking
 * access asks on a page of its own. Written for CSP `script-src 'self'`. Content that
 * is swapped in later (the live queue) is handled through delegated listeners. */
(() => {
  'use strict';

  document.documentElement.classList.add('js');

  // Phone header: the agent links fold behind a "Menu" button (CSS hides them only
  // when this script runs, see `.js .agent-nav`).
  const toggle = document.querySelector('.menu-toggle');
  const nav = document.getElementById('agent-nav');
  if (toggle && nav) {
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('open', open);
    });
  }

  // Select all rows of a queue page for a bulk action.
  const rowBoxes = (table) => Array.from(table.querySelectorAll('tbody input[type="checkbox"][name="t"]'));
  const syncAll = (table) => {
    const all = table.querySelector('[data-select-all]');
    if (!all) return;
    const boxes = rowBoxes(table);
    const ticked = boxes.filter((b) => b.checked).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  document.addEventListener('change', (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement)) return;
    const table = box.closest('table');
    if (!table) return;
    if (box.matches('[data-select-all]')) {
      rowBoxes(table).forEach((b) => { b.checked = box.checked; });
      box.indeterminate = false;
    } else if (box.name === 't') {
      syncAll(table);
    }
  });

  // Forms that ask first (`data-confirm="dialog-id"`): the dialog holds the real,
  // confirmed form; without a dialog element the server asks on a page of its own.
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    const dialog = document.getElementById(form.dataset.confirm);
    if (!dialog || typeof dialog.showModal !== 'function') return;
    e.preventDefault();
    dialog.showModal();
  });
})();
