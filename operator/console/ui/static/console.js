// Progressive enhancement only: every page works without this script (plain links and forms).
// Elements with data-refresh-ms are reloaded from their data-src (an HTML fragment) while the
// page is visible, so job metrics stay live without a framework.
/* global document, fetch, setTimeout */
'use strict';
function refresh(el) {
  const ms = Number(el.dataset.refreshMs);
  const tick = () => {
    if (document.visibilityState === 'visible') {
      fetch(el.dataset.src, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
        .then((text) => { el.innerHTML = text; el.dataset.refreshedAt = String(Date.now()); })
        .catch(() => { /* keep the last content; the next tick tries again */ });
    }
    setTimeout(tick, ms);
  };
  setTimeout(tick, ms);
}
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-refresh-ms][data-src]').forEach(refresh);
});
