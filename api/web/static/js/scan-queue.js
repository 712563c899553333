/* The offline queue of scans. A scan is written to localStorage with its Idempotency-Key before it
   is sent, and removed only when the server has answered; on 'online', on page load and every
   30 s it is sent again with the same key, so a lost connection never loses nor doubles a scan. */
(function () {
  "use strict";
  var T = WT.t;
  var KEY = "wt.scan-queue.v1";
  var FAILED = "wt.scan-failed.v1";
  var flushing = false;
  var listeners = [];

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function write(key, items) { localStorage.setItem(key, JSON.stringify(items)); }

  function pending() { return read(KEY); }
  function failed() { return read(FAILED); }

  function add(entry) {
    var items = pending();
    items.push(entry);
    write(KEY, items);
    notify(null, null);
  }

  function remove(key) { write(KEY, pending().filter(function (e) { return e.key !== key; })); }

  function notify(entry, outcome) { listeners.forEach(function (fn) { fn(entry, outcome); }); }

  /* Send what is queued, oldest first. outcome.kind: sent | rejected | offline | auth | later */
  function flush() {
    if (flushing) return Promise.resolve();
    var items = pending();
    if (!items.length) { notify(null, null); return Promise.resolve(); }
    flushing = true;
    var i = 0;
    function next() {
      if (i >= items.length) { flushing = false; notify(null, null); return Promise.resolve(); }
      var entry = items[i++];
      // A 401 keeps the scan queued (the page says to log in): no redirect in the middle of a send.
      return WT.api("POST", "/api/v1/scans", entry.body, { idempotencyKey: entry.key, stayOnAuth: true }).then(function (res) {
        if (res.ok) {
          remove(entry.key);
          notify(entry, { kind: "sent", res: res });
          return next();
        }
        if (res.status === 401) { flushing = false; notify(entry, { kind: "auth", res: res }); return null; }
        if (res.status >= 500 || res.status === 429 || (res.data && res.data.code === "idempotency_in_progress")) {
          flushing = false; notify(entry, { kind: "later", res: res }); return null;
        }
        remove(entry.key);
        var f = failed();
        f.push({ key: entry.key, number: entry.number, action: entry.action, queued_at: entry.queued_at, message: WT.errorText(res) });
        write(FAILED, f.slice(-20));
        notify(entry, { kind: "rejected", res: res });
        return next();
      }, function () {
        flushing = false;
        notify(entry, { kind: "offline" });
        return null;
      });
    }
    return next();
  }

  /* Show the queue in a page section (driver home and scanner). */
  function render() {
    var box = document.getElementById("queue-box");
    if (!box) return;
    var items = pending(), bad = failed();
    var list = document.getElementById("queue-list");
    var state = document.getElementById("queue-state");
    box.hidden = !items.length && !bad.length;
    list.textContent = "";
    items.forEach(function (e) {
      list.appendChild(WT.el("li", { class: "queued" }, [
        WT.el("span", { class: "mono", text: e.number || "?" }), " ",
        T(e.action === "pickup" ? "action_pickup" : "action_dropoff") + " · " + WT.fmtDateTime(e.queued_at) + " · " + T("queued")
      ]));
    });
    bad.forEach(function (e) {
      list.appendChild(WT.el("li", { class: "failed" }, [
        WT.el("span", { class: "mono", text: e.number || "?" }), " ",
        T(e.action === "pickup" ? "action_pickup" : "action_dropoff") + " · " + WT.fmtDateTime(e.queued_at) + " · " + T("not_accepted") + " " + e.message
      ]));
    });
    state.textContent = items.length ? T("queue_waiting", { n: items.length }) : "";
    var retry = document.getElementById("queue-retry");
    if (retry) retry.hidden = !items.length;
  }

  function clearFailed() { write(FAILED, []); render(); }

  WT.scanQueue = { add: add, flush: flush, pending: pending, failed: failed, render: render, clearFailed: clearFailed, onChange: function (fn) { listeners.push(fn); } };

  listeners.push(function () { render(); });
  window.addEventListener("online", function () { flush(); });
  document.addEventListener("DOMContentLoaded", function () {
    render();
    var retry = document.getElementById("queue-retry");
    if (retry) retry.addEventListener("click", function () { flush(); });
    flush();
  });
  setInterval(function () { if (pending().length && navigator.onLine !== false) flush(); }, 30000);
})();
