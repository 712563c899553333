/* The driver's phone records the track of each load it has picked up, until its drop-off: a
   position every N seconds (the server's setting), kept in localStorage so nothing is lost when
   the page reloads or the network drops, sent in batches (a re-sent batch adds nothing). */
(function () {
  "use strict";
  var T = WT.t;
  var KEY = "wt.track.v1";
  var BATCH = 500;
  var root = document.getElementById("step-scan");
  var stateEl = document.getElementById("track-state");
  var interval = Math.max(1, parseInt((root && root.getAttribute("data-track-interval")) || "30", 10));
  var state = load();
  var watchId = null, lastPos = null, sampler = null, flusher = null, sending = false, offTruck = null;

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY) || "null");
      if (s && s.active && s.queue && s.sent) return s;
    } catch (e) { /* a damaged store starts afresh */ }
    return { active: {}, queue: {}, sent: {} };
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(state)); }
  function queued() { return Object.keys(state.queue).reduce(function (n, k) { return n + state.queue[k].length; }, 0); }
  function sentTotal(ids) { return ids.reduce(function (n, k) { return n + (state.sent[k] || 0); }, 0); }

  function render(doneId) {
    if (!stateEl) return;
    var ids = Object.keys(state.active);
    if (doneId && !ids.length) { stateEl.textContent = T("track_done", { sent: state.sent[doneId] || 0 }); stateEl.hidden = false; return; }
    if (offTruck && !ids.length) { stateEl.textContent = T("track_off_truck"); stateEl.hidden = false; return; }
    if (!ids.length) { stateEl.hidden = true; return; }
    stateEl.hidden = false;
    if (!navigator.geolocation) { stateEl.textContent = T("track_no_gps"); return; }
    stateEl.textContent = navigator.onLine === false ? T("track_offline", { queued: queued() })
      : T("track_recording", { sent: sentTotal(ids), queued: queued() });
  }

  function sample() {
    var ids = Object.keys(state.active);
    if (!lastPos || !ids.length) return;
    var c = lastPos.coords;
    var pt = { recorded_at: new Date(lastPos.timestamp).toISOString(), lon: Math.round(c.longitude * 1e7) / 1e7,
      lat: Math.round(c.latitude * 1e7) / 1e7, accuracy_m: Math.min(100000, Math.round(c.accuracy * 100) / 100) };
    if (typeof c.speed === "number" && c.speed >= 0) pt.speed_kmh = Math.min(300, Math.round(c.speed * 36) / 10);
    ids.forEach(function (id) {
      var q = state.queue[id] || (state.queue[id] = []);
      if (!q.length || q[q.length - 1].recorded_at !== pt.recorded_at) q.push(pt);  // the same fix once
    });
    save();
    render();
    if (queued() >= 20) flushAll();
  }

  function flush(id) {
    var q = state.queue[id] || [];
    if (!q.length) return Promise.resolve();
    var batch = q.slice(0, BATCH);
    return WT.api("POST", "/api/v1/tracks/" + id + "/points", { points: batch }, { stayOnAuth: true }).then(function (res) {
      // Sent, or refused for good (e.g. the load is closed): drop the batch. Logged out: keep it.
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403)) {
        state.queue[id] = (state.queue[id] || []).slice(batch.length);
        if (!state.queue[id].length && !state.active[id]) delete state.queue[id];
        if (res.ok) state.sent[id] = (state.sent[id] || 0) + res.data.added;
        // Every point outside the journey: the load left this truck (handed over to the next
        // carrier, or dropped off from another phone), so this phone stops recording it.
        if (res.ok && res.data.received && res.data.outside_window === res.data.received && state.active[id]) {
          delete state.active[id];
          offTruck = id;
        }
        save();
      }
    }, function () { /* offline: the batch stays queued */ });
  }

  function flushAll() {
    if (sending) return Promise.resolve();
    sending = true;
    var ids = Object.keys(state.queue);
    return ids.reduce(function (p, id) { return p.then(function () { return flush(id); }); }, Promise.resolve())
      .then(function () { sending = false; idle(); render(); }, function () { sending = false; render(); });
  }

  function running() {
    if (!navigator.geolocation) { render(); return; }
    if (watchId === null) {
      watchId = navigator.geolocation.watchPosition(function (p) { lastPos = p; },
        function () { /* no fix now: the next one counts */ }, { enableHighAccuracy: true, maximumAge: 5000 });
    }
    if (!sampler) sampler = setInterval(sample, interval * 1000);
    if (!flusher) flusher = setInterval(flushAll, Math.max(5, interval * 5) * 1000);
    render();
  }

  function idle() {
    if (Object.keys(state.active).length) return;
    if (watchId !== null) { navigator.geolocation.clearWatch(watchId); watchId = null; }
    if (sampler) { clearInterval(sampler); sampler = null; }
    if (flusher && !queued()) { clearInterval(flusher); flusher = null; }
  }

  function start(id) {
    state.active[id] = new Date().toISOString();
    state.sent[id] = state.sent[id] || 0;
    save();
    running();
  }

  function stop(id) {
    sample();
    delete state.active[id];
    save();
    return flushAll().then(function () { idle(); render(id); });
  }

  window.addEventListener("online", function () { flushAll(); });
  window.addEventListener("offline", function () { render(); });
  if (Object.keys(state.active).length || queued()) running();  // a reload while a load is on the truck
  WT.trackRecorder = { start: start, stop: stop, flushAll: flushAll };
})();
