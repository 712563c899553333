/* The driver's scanner: read the label's QR (BarcodeDetector where the browser has it, the vendored
   jsQR otherwise, or a photo), attach the phone's GPS, confirm pickup (vehicle, weighed quantity)
   or drop-off. Every scan goes through the offline queue (scan-queue.js). */
(function () {
  "use strict";
  var T = WT.t, el = WT.el;
  var TOKEN = /^v1\.(\d{14})\.[A-Za-z0-9_-]{22}$/;
  var STATUS_KEY = "wt.scan-last-status.v1";
  var stepScan = document.getElementById("step-scan");
  var stepConfirm = document.getElementById("step-confirm");
  var statusEl = document.getElementById("scan-status");
  var result = document.getElementById("result");
  var info = document.getElementById("manifest-info");
  var form = document.getElementById("scan-form");
  var video = document.getElementById("video");
  var cameraBox = document.getElementById("camera-box");
  var startBtn = document.getElementById("start-camera");
  var stopBtn = document.getElementById("stop-camera");
  var gpsEl = document.getElementById("gps-state");
  var netEl = document.getElementById("net-state");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  var stream = null;
  var current = null; /* {token, number, manifest}, or {number, check_code, manifest} typed by hand */
  var lastPos = null;
  var sending = false;
  /* Containers of a manifest filled from the ledger: the driver accounts for every one at pickup. */
  var CONTAINER_CODE = /^[0-9A-Z]{26}\d{11}$/;
  var mode = "manifest"; /* what the camera or a photo is read for: the manifest's QR, or a container's */
  var expected = [];
  var scanned = {};
  var cBox = document.getElementById("containers-box");
  var cState = document.getElementById("containers-state");
  var cList = document.getElementById("containers-list");
  var cameraHome = cameraBox.parentNode;

  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }

  /* --- what the QR says ------------------------------------------------------------------------ */

  function parse(text) {
    text = (text || "").trim();
    var token = text;
    try {
      var u = new URL(text);
      token = u.searchParams.get("t") || "";
    } catch (e) { /* not a URL: maybe the bare token */ }
    var m = TOKEN.exec(token);
    return m ? { token: token, number: m[1] } : null;
  }

  function lastStatus(number, status) {
    var all = {};
    try { all = JSON.parse(localStorage.getItem(STATUS_KEY) || "{}"); } catch (e) { all = {}; }
    if (status === undefined) return all[number];
    all[number] = status;
    localStorage.setItem(STATUS_KEY, JSON.stringify(all));
  }

  function say(text) {
    if (mode === "container") { cState.textContent = text; return; }
    statusEl.textContent = text;
  }

  function containerHit(text) {
    var code = (text || "").trim().toUpperCase();
    if (!CONTAINER_CODE.test(code)) { showContainers(T("container_not_a_label")); return false; }
    if (expected.indexOf(code) < 0) { showContainers(T("container_not_on_manifest", { code: code })); return true; }
    scanned[code] = true;
    showContainers(T("container_ok", { code: code }));
    if (Object.keys(scanned).length === expected.length) stopCamera();
    return true;
  }

  function showContainers(note) {
    var n = Object.keys(scanned).length;
    cState.textContent = T("containers_progress", { n: n, total: expected.length }) + (note ? " " + note : "");
    cList.textContent = "";
    expected.forEach(function (code) {
      cList.appendChild(el("li", { class: scanned[code] ? "done" : "", text: code }));
    });
  }

  function loadContainers(m) {
    expected = []; scanned = {};
    cBox.hidden = true;
    if (!PICKUP_STATES[m.status]) return;
    WT.api("GET", "/api/v1/manifests/" + m.id + "/containers").then(function (res) {
      if (!res.ok || !res.data.length) return;
      expected = res.data.map(function (c) { return c.identification_code; });
      cBox.hidden = false;
      showContainers("");
    });
  }

  function decoded(text) {
    if (mode === "container") return containerHit(text);
    var hit = parse(text);
    if (!hit) { say(T("not_a_label")); return false; }
    stopCamera();
    current = { token: hit.token, number: hit.number, manifest: null };
    showConfirm();
    return true;
  }

  /* --- camera and photo ------------------------------------------------------------------------ */

  function decodeCanvas(w, h, thorough) {
    var img = ctx.getImageData(0, 0, w, h);
    var r = window.jsQR ? window.jsQR(img.data, w, h, { inversionAttempts: thorough ? "attemptBoth" : "dontInvert" }) : null;
    return r ? r.data : null;
  }

  function draw(source, sw, sh, max) {
    var scale = Math.min(1, max / Math.max(sw, sh));
    canvas.width = Math.max(1, Math.round(sw * scale));
    canvas.height = Math.max(1, Math.round(sh * scale));
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    return [canvas.width, canvas.height];
  }

  function tick() {
    if (!stream) return;
    if (video.readyState < 2) { setTimeout(tick, 150); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length && decoded(codes[0].rawValue)) return;
        setTimeout(tick, 150);
      }, function () { setTimeout(tick, 300); });
      return;
    }
    var size = draw(video, video.videoWidth, video.videoHeight, 800);
    var text = decodeCanvas(size[0], size[1], false);
    if (text && decoded(text)) return;
    setTimeout(tick, 150);
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say(T("no_camera")); return; }
    say(T("camera_starting"));
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      cameraBox.hidden = false;
      startBtn.hidden = true;
      stopBtn.hidden = false;
      return video.play();
    }).then(function () { say(T("camera_aim")); tick(); }, function () { say(T("no_camera")); stopCamera(); });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
    video.srcObject = null;
    cameraBox.hidden = true;
    startBtn.hidden = false;
    stopBtn.hidden = true;
  }

  function loadImage(file) {
    if (window.createImageBitmap) return createImageBitmap(file);
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function decodePhoto(file) {
    say(T("photo_reading"));
    loadImage(file).then(function (img) {
      var w = img.width || img.naturalWidth, h = img.height || img.naturalHeight;
      var tryJs = function () {
        var sizes = [1600, 1000, 600];
        for (var i = 0; i < sizes.length; i++) {
          var s = draw(img, w, h, sizes[i]);
          var text = decodeCanvas(s[0], s[1], true);
          if (text) return text;
        }
        return null;
      };
      var done = function (text) { if (!text || !decoded(text)) say(T("photo_no_qr")); };
      if (detector) {
        detector.detect(img).then(function (codes) { done(codes.length ? codes[0].rawValue : tryJs()); }, function () { done(tryJs()); });
      } else done(tryJs());
    }, function () { say(T("photo_no_qr")); });
  }

  /* --- the manifest and the form -------------------------------------------------------------- */

  var PICKUP_STATES = { submitted: 1, return_requested: 1 };
  var DROPOFF_STATES = { in_transit: 1, returning: 1 };

  function setAction(action) {
    form.querySelector("input[name=action][value=" + action + "]").checked = true;
    syncAction();
  }

  function syncAction() {
    var action = form.querySelector("input[name=action]:checked").value;
    var handover = action === "handover";
    document.getElementById("pickup-fields").hidden = action === "dropoff";
    document.getElementById("from-vehicle-box").hidden = !handover;
    document.getElementById("weighed-label").hidden = handover;
    document.getElementById("handover-qty-label").hidden = !handover;
    if (handover) cBox.hidden = true;
    else if (expected.length) cBox.hidden = false;
    document.getElementById("confirm").textContent =
      action === "pickup" ? T("confirm_pickup") : action === "handover" ? T("confirm_handover") : T("confirm_dropoff");
  }

  /* Art. 17: with more carriers listed, the load changes hands at the listed sites, in order. */
  function nextHandover(m) {
    var hs = m.handovers || [];
    return m.status === "in_transit" && m.leg <= hs.length ? hs[m.leg - 1] : null;
  }

  function showConfirm() {
    document.getElementById("confirm").hidden = false;
    stepScan.hidden = true;
    stepConfirm.hidden = false;
    WT.show(result, "", null);
    info.textContent = "";
    info.appendChild(el("p", {}, [T("manifest_no") + " ", el("strong", { class: "mono", text: current.number })]));
    var known = lastStatus(current.number);
    setAction(known && DROPOFF_STATES[known] ? "dropoff" : "pickup");
    document.getElementById("confirm-h").focus && document.getElementById("confirm-h").setAttribute("tabindex", "-1");
    document.getElementById("confirm-h").focus();
    WT.api("GET", "/api/v1/manifests?limit=1&number=" + current.number).then(function (res) {
      if (!res.ok) return;
      var m = res.data.items.filter(function (x) { return x.number === current.number; })[0];
      if (!m) {
        // Not this carrier's load: nothing to confirm (the server would refuse it anyway).
        info.appendChild(el("p", { class: "notice error", text: T("not_yours") }));
        document.getElementById("confirm").hidden = true;
        document.getElementById("pickup-fields").hidden = true;
        return;
      }
      return WT.api("GET", "/api/v1/manifests/" + m.id).then(function (r2) { if (r2.ok) describe(r2.data); });
    }, function () { info.appendChild(el("p", { class: "muted", text: T("offline_info") })); });
  }

  function describe(m) {
    current.manifest = m;
    lastStatus(m.number, m.status);
    info.appendChild(el("p", { text: T("status") + " " + T("status_" + m.status) }));
    /* On the way back the load goes from the receiver that refused it to the generator. */
    var back = m.status === "return_requested" || m.status === "returning";
    var origin = back ? m.receiver : (m.pickup || m.generator), dest = back ? m.generator : m.receiver;
    var homeward = back || m.purpose === "return";
    info.appendChild(el("p", { text: T("from") + " " + origin.organisation_name + " · " + origin.site_name }));
    info.appendChild(el("p", { text: T("to") + " " + dest.organisation_name + " · " + dest.site_name }));
    if (homeward) info.appendChild(el("p", { class: "notice", id: "return-trip", text: T("return_trip") }));
    document.getElementById("pickup-label").textContent = homeward ? T("pickup_refused") : T("pickup_generator");
    document.getElementById("dropoff-label").textContent = homeward ? T("dropoff_generator") : T("dropoff_receiver");
    info.appendChild(el("p", { text: T("declared") + " " + WT.fmtQty(m.declared_kg) + " · " + m.lines.map(function (l) { return l.waste_code; }).join(", ") }));
    var myOrg = stepScan.getAttribute("data-org");
    var next = nextHandover(m);
    document.getElementById("handover-choice").hidden = !(m.handovers || []).length;
    if (next) {
      setAction("handover");
      if (next.carrier_org_id === myOrg) {
        info.appendChild(el("p", { class: "notice ok", text: T("handover_info", { n: next.position, site: next.site_name, plate: m.vehicle_plate || "—" }) }));
        document.getElementById("from-vehicle").value = m.vehicle_plate || "";
      } else {
        info.appendChild(el("p", { class: "notice warn", text: T("not_your_turn", { n: next.position }) }));
      }
    }
    else if (PICKUP_STATES[m.status]) setAction("pickup");
    else if (DROPOFF_STATES[m.status]) setAction("dropoff");
    else info.appendChild(el("p", { class: "notice warn", text: T("wrong_moment", { status: T("status_" + m.status) }) }));
    var w = document.getElementById("weighed");
    if (!w.value) w.value = Number(m.declared_kg);
    loadContainers(m);
  }

  /* --- GPS ------------------------------------------------------------------------------------ */

  function showGps() {
    if (!navigator.geolocation) { gpsEl.textContent = T("gps_none"); return; }
    if (!lastPos) { gpsEl.textContent = T("gps_waiting"); return; }
    var c = lastPos.coords;
    gpsEl.textContent = T("gps_ok", { acc: Math.round(c.accuracy) }) + " " + c.longitude.toFixed(5) + ", " + c.latitude.toFixed(5);
  }

  /* The watch keeps a recent fix; a scan uses it if it is under 30 s old, else asks for one. */
  function freshPosition() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      if (lastPos && Date.now() - lastPos.timestamp < 30000) { resolve(lastPos); return; }
      navigator.geolocation.getCurrentPosition(function (p) { lastPos = p; showGps(); resolve(p); },
        function () { resolve(lastPos); }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
    });
  }

  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(function (p) { lastPos = p; showGps(); }, function (e) {
      if (e.code === 1) { lastPos = null; gpsEl.textContent = T("gps_denied"); }
    }, { enableHighAccuracy: true, maximumAge: 10000 });
  }
  showGps();

  /* --- send ------------------------------------------------------------------------------------ */

  function findingsText(findings) {
    return (findings || []).map(function (f) {
      var text = T("finding_" + f.code);
      if (f.distance_m) text += " (" + WT.fmtKm(f.distance_m) + ")";
      return text;
    }).join(" ");
  }

  function confirm(ev) {
    ev.preventDefault();
    if (sending || !current) return;
    var action = form.querySelector("input[name=action]:checked").value;
    var weighed = document.getElementById("weighed");
    if (action === "pickup" && !(parseFloat(weighed.value) > 0)) { WT.show(result, T("need_weight"), "notice error"); weighed.focus(); return; }
    if (action === "handover" && !(parseFloat(weighed.value) > 0)) { WT.show(result, T("need_handover_qty"), "notice error"); weighed.focus(); return; }
    if (action === "pickup" && expected.length && !Object.keys(scanned).length && document.getElementById("container-count").value === "") {
      WT.show(result, T("need_containers", { total: expected.length }), "notice error");
      document.getElementById("container-photo").focus();
      return;
    }
    sending = true;
    document.getElementById("confirm").disabled = true;
    freshPosition().then(function (pos) {
      var body = current.token ? { token: current.token } : { number: current.number, check_code: current.check_code };
      body.action = action;
      body.device_time = new Date().toISOString();
      if (pos) {
        body.lon = pos.coords.longitude; body.lat = pos.coords.latitude;
        body.accuracy_m = Math.min(100000, Math.round(pos.coords.accuracy * 100) / 100);
      }
      if (action === "handover") {
        body.vehicle_plate = document.getElementById("vehicle").value;
        body.quantity_kg = String(weighed.value);
        var from = document.getElementById("from-vehicle").value.trim();
        if (from) body.from_vehicle_plate = from;
      }
      if (action === "pickup") {
        body.vehicle_plate = document.getElementById("vehicle").value;
        body.quantity_kg = String(weighed.value);
        if (expected.length) {
          var codes = Object.keys(scanned);
          var counted = document.getElementById("container-count").value;
          if (codes.length) body.container_codes = codes;
          else if (counted !== "") body.confirmed_container_count = parseInt(counted, 10);
        }
      }
      var entry = { key: WT.uuid(), body: body, number: current.number, action: action, queued_at: new Date().toISOString() };
      WT.scanQueue.add(entry);
      pendingKey = entry.key;
      WT.scanQueue.flush();
    });
  }

  var pendingKey = null;
  WT.scanQueue.onChange(function (entry, outcome) {
    if (!entry || !outcome || entry.key !== pendingKey) return;
    sending = false;
    document.getElementById("confirm").disabled = false;
    if (outcome.kind === "sent") {
      pendingKey = null;
      var d = outcome.res.data;
      lastStatus(d.number, d.status);
      if (WT.trackRecorder) {
        if (entry.action === "pickup" || entry.action === "handover") WT.trackRecorder.start(d.manifest_id);
        else WT.trackRecorder.stop(d.manifest_id);
      }
      var said = { number: d.number, status: T("status_" + d.status) };
      var text = entry.action === "pickup" ? T("done_pickup", said) : entry.action === "handover" ? T("done_handover", said) : T("done_dropoff", said);
      var warn = findingsText(d.findings);
      WT.show(result, warn ? text + " " + T("but") + " " + warn : text, warn ? "notice warn" : "notice ok");
      finish();
    } else if (outcome.kind === "rejected") {
      pendingKey = null;
      var d = outcome.res.data || {};
      var why = d.code === "invalid_transition" && d.details ? T("wrong_moment", { status: T("status_" + d.details.status) })
        : d.code === "carrier_out_of_order" && d.details ? T("not_your_turn", { n: d.details.expected_position }) : WT.errorText(outcome.res);
      WT.show(result, T("refused") + " " + why, "notice error");
      WT.scanQueue.clearFailed();
    } else if (outcome.kind === "auth") {
      WT.show(result, T("queued_login"), "notice warn");
      finish();
    } else {
      WT.show(result, T("queued_offline"), "notice warn");
      finish();
    }
    result.focus();
  });

  function finish() {
    mode = "manifest";
    stopCamera();
    cameraHome.insertBefore(cameraBox, cameraHome.firstChild);
    expected = []; scanned = {};
    cBox.hidden = true;
    document.getElementById("container-count").value = "";
    stepConfirm.hidden = true;
    stepScan.hidden = false;
    current = null;
    document.getElementById("weighed").value = "";
    say("");
  }

  function updateNet() {
    netEl.textContent = navigator.onLine === false ? T("net_offline") : T("net_online");
    netEl.className = "net-state " + (navigator.onLine === false ? "offline" : "online");
  }
  window.addEventListener("online", updateNet);
  window.addEventListener("offline", updateNet);
  updateNet();

  startBtn.addEventListener("click", function () { mode = "manifest"; startCamera(); });
  stopBtn.addEventListener("click", stopCamera);
  document.getElementById("photo").addEventListener("change", function (ev) {
    var f = ev.target.files && ev.target.files[0];
    if (f) decodePhoto(f);
    ev.target.value = "";
  });
  document.getElementById("container-camera").addEventListener("click", function () {
    mode = "container";
    document.getElementById("container-camera-slot").appendChild(cameraBox);
    startCamera();
  });
  document.getElementById("container-photo").addEventListener("change", function (ev) {
    var f = ev.target.files && ev.target.files[0];
    mode = "container";
    if (f) decodePhoto(f);
    ev.target.value = "";
  });
  document.getElementById("container-code-go").addEventListener("click", function () {
    mode = "container";
    containerHit(document.getElementById("container-code").value);
    document.getElementById("container-code").value = "";
  });
  /* No camera: what is printed on the label, the number and the check code beside it. */
  document.getElementById("manual-go").addEventListener("click", function () {
    var num = document.getElementById("manual-number"), chk = document.getElementById("manual-check");
    var number = num.value.replace(/\s/g, ""), code = chk.value.replace(/[\s-]/g, "").toUpperCase();
    if (!/^\d{14}$/.test(number)) { say(T("manual_need_number")); num.focus(); return; }
    if (!/^[0-9A-Z]{6}$/.test(code)) { say(T("manual_need_check")); chk.focus(); return; }
    stopCamera();
    current = { token: null, number: number, check_code: code, manifest: null };
    showConfirm();
  });
  document.getElementById("rescan").addEventListener("click", function () { finish(); WT.show(result, "", null); });
  form.querySelectorAll("input[name=action]").forEach(function (r) { r.addEventListener("change", syncAction); });
  form.addEventListener("submit", confirm);

  /* Opened from the label's URL by the phone's own camera app: the token is already here. */
  // (Opened offline, the kept copy of the page has no token in it: read it from the address.)
  var given = stepScan.getAttribute("data-token") || new URLSearchParams(window.location.search).get("t");
  if (given) decoded(given);
  syncAction();
})();
