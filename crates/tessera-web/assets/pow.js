/* Tessera – the new-ticket form's proof of work (tessera-core `intake.rs`).
 * The server signs a challenge into the form; this finds a counter such that
 * SHA-256(challenge || counter) starts with the asked-for number of zero bits and
 * puts it into the hidden field. No cookies, no outside service; a person without
 * JavaScript sends the form after a short wait instead. Solving starts when the
 * page loads and runs in small slices, so typing is never slowed down; a submit
 * before it is done waits for it. CSP `script-src 'self'`: no eval, no inline code. */
(() => {
  'use strict';

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const W = new Uint32Array(64);

  // SHA-256 of bytes, as eight big-endian words.
  function sha256(msg) {
    const blocks = ((msg.length + 9 + 63) >> 6);
    const buf = new Uint8Array(blocks * 64);
    buf.set(msg);
    buf[msg.length] = 0x80;
    const bitLen = msg.length * 8;
    buf[buf.length - 4] = (bitLen >>> 24) & 0xff;
    buf[buf.length - 3] = (bitLen >>> 16) & 0xff;
    buf[buf.length - 2] = (bitLen >>> 8) & 0xff;
    buf[buf.length - 1] = bitLen & 0xff;
    const h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    for (let b = 0; b < blocks; b++) {
      const o = b * 64;
      for (let i = 0; i < 16; i++) {
        const j = o + i * 4;
        W[i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const x = W[i - 15], y = W[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (hh + S1 + ch + K[i] + W[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & bb) ^ (a & c) ^ (bb & c);
        const t2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0;
        d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    return h;
  }

  function zeroBits(h, bits) {
    for (let i = 0; i < 8 && bits > 0; i++) {
      if (bits >= 32) {
        if (h[i] !== 0) return false;
        bits -= 32;
      } else {
        return (h[i] >>> (32 - bits)) === 0;
      }
    }
    return true;
  }

  const enc = new TextEncoder();
  const solutions = new Map(); // challenge -> Promise of the counter

  function solve(challenge, bits) {
    if (solutions.has(challenge)) return solutions.get(challenge);
    const found = new Promise((resolve) => {
      const prefix = enc.encode(challenge);
      let counter = 0;
      const slice = () => {
        for (const end = counter + 4000; counter < end; counter++) {
          const c = enc.encode(String(counter));
          const msg = new Uint8Array(prefix.length + c.length);
          msg.set(prefix);
          msg.set(c, prefix.length);
          if (zeroBits(sha256(msg), bits)) { resolve(String(counter)); return; }
        }
        setTimeout(slice, 0);
      };
      slice();
    });
    solutions.set(challenge, found);
    return found;
  }

  function fields(form) {
    const challenge = form.querySelector('input[name="pow_challenge"]');
    const solution = form.querySelector('input[name="pow_solution"]');
    return challenge && solution ? { challenge, solution } : null;
  }

  function fill(form) {
    const f = fields(form);
    if (!f) return Promise.resolve();
    const text = f.challenge.value;
    return solve(text, Number(f.challenge.dataset.powBits) || 0).then((n) => {
      if (f.challenge.value === text) {
        f.solution.value = n;
        f.solution.dataset.for = text;
      }
    });
  }

  function start() {
    document.querySelectorAll('input[name="pow_challenge"]').forEach((c) => { if (c.form) fill(c.form); });
  }

  // Before any other submit handler (app.js sends upload forms itself): hold a submit
  // until its challenge is solved, then submit again.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    const f = fields(form);
    if (!f || (f.solution.value && f.solution.dataset.for === f.challenge.value)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter && event.submitter.form === form ? event.submitter : undefined;
    if (submitter) submitter.setAttribute('aria-busy', 'true');
    fill(form).then(() => {
      if (submitter) submitter.removeAttribute('aria-busy');
      if (typeof form.requestSubmit === 'function') form.requestSubmit(submitter);
      else form.submit();
    });
  }, true);

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  // app.js shows a refused post's page in place: solve the new challenge at once.
  new MutationObserver(start).observe(document.documentElement, { childList: true, subtree: true });
})();
