// sessiondeck's last line of defence: when the WebAssembly app traps (a Rust
// panic aborts to `unreachable`, in release builds too) or cannot start, say
// so — "sessiondeck stopped — reload" — instead of leaving a frozen page, and
// make sure nothing more is sent: `fetch` refuses from then on, whatever the
// broken app still tries. Plain JS, loaded as a file (the CSP allows no
// inline script but trunk's hashed loader), running before the app.
(() => {
  'use strict';
  const realFetch = window.fetch.bind(window);
  let stopped = false;

  const wasmError = (e) =>
    typeof WebAssembly === 'object' &&
    (e instanceof WebAssembly.RuntimeError ||
      e instanceof WebAssembly.CompileError ||
      e instanceof WebAssembly.LinkError);
  // wasm-bindgen's own words for a broken instance (a closure called after
  // it was dropped, a value used while borrowed), and a panic's message.
  const BINDGEN = /panicked at|recursive use of an object|closure invoked .*after being dropped|attempted to take ownership of Rust value/i;
  const fatal = (e) => !!e && (wasmError(e) || BINDGEN.test(String((e && e.message) || e)));

  const show = () => {
    if (stopped) return;
    stopped = true;
    const main = document.getElementById('main');
    if (main) main.inert = true;
    const box = document.createElement('section');
    box.className = 'crash';
    box.setAttribute('role', 'alert');
    box.setAttribute('aria-labelledby', 'crash-title');
    const title = document.createElement('h2');
    title.id = 'crash-title';
    title.textContent = 'sessiondeck stopped — reload';
    const text = document.createElement('p');
    text.textContent =
      'An internal error stopped the panel, and it sends nothing more. Revocations it reported are done; ' +
      'one that was under way may or may not have happened — check after reloading. ' +
      'Reload to continue: nothing is reconnected by itself — the panel lists your servers, names the one ' +
      'that was loading, and waits for you.';
    // The next start reconnects nothing by itself (in this tab or another):
    // one server whose answer stops the panel cannot stop it in a loop.
    const at = String(Date.now());
    for (const store of ['sessionStorage', 'localStorage']) {
      try { window[store].setItem('sessiondeck.crashed', at); } catch (_) { /* storage off */ }
    }
    const reload = document.createElement('button');
    reload.type = 'button';
    reload.className = 'btn btn-primary';
    reload.textContent = 'Reload';
    reload.addEventListener('click', () => location.reload());
    box.append(title, text, reload);
    document.body.append(box);
    reload.focus();
  };

  window.fetch = (...args) =>
    stopped ? Promise.reject(new TypeError('sessiondeck stopped: nothing more is sent')) : realFetch(...args);

  // A browser without modal <dialog> could not keep a confirmation modal
  // (README → Browsers): the panel does not start there, and says why.
  const dialog = window.HTMLDialogElement && window.HTMLDialogElement.prototype;
  if (!dialog || typeof dialog.showModal !== 'function' || typeof WebAssembly !== 'object') {
    stopped = true;
    const box = document.createElement('section');
    box.className = 'crash';
    box.setAttribute('role', 'alert');
    const title = document.createElement('h2');
    title.textContent = 'This browser cannot run sessiondeck safely';
    const text = document.createElement('p');
    text.textContent =
      'It lacks modal dialogs (<dialog>.showModal) or WebAssembly, so a confirmation could not be kept in front ' +
      'of the page. Nothing is sent from here. Use Chrome or Edge 96+, Firefox 98+ or Safari 15.4+.';
    box.append(title, text);
    const put = () => document.body.append(box);
    if (document.body) put(); else addEventListener('DOMContentLoaded', put);
  }
  addEventListener('error', (e) => {
    if (fatal(e.error) || fatal(e.message)) show();
  });
  addEventListener('unhandledrejection', (e) => {
    if (fatal(e.reason)) show();
  });
})();
