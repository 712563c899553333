/* Shared helpers of the web app: messages, formatting (Asia/Shanghai, units), and calls to the
   JSON API with the session cookie and the CSRF double-submit header. No framework, no build. */
(function () {
  "use strict";

  var messages = {};
  try {
    messages = JSON.parse(document.getElementById("wt-i18n").textContent);
  } catch (e) { /* a page without messages still works, showing keys */ }
  var lang = document.documentElement.lang || "zh-CN";

  function t(key, vars) {
    var text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    if (vars) {
      Object.keys(vars).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    }
    return text;
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  var dtFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });

  function fmtDateTime(iso) {
    if (!iso) return "—";
    var d = iso instanceof Date ? iso : new Date(iso);
    var p = {};
    dtFormat.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  function todayShanghai() {
    var p = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day;
  }

  var numFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });
  function fmtQty(kg) {
    if (kg === null || kg === undefined || kg === "") return "—";
    var v = Number(kg);
    if (Math.abs(v) >= 1000) return (v / 1000).toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 }) + " t";
    return numFormat.format(v) + " kg";
  }
  function fmtKm(m) {
    if (m === null || m === undefined) return "—";
    return (Number(m) / 1000).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " km";
  }

  /* Call the API. Resolves to {ok, status, data}; rejects only when the network fails. */
  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { "Accept": "application/json", "Accept-Language": lang };
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = cookie("wt_csrf");
    if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    return fetch(path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body !== undefined && body !== null ? JSON.stringify(body) : undefined
    }).then(function (r) {
      // The session ended (expired, logged out elsewhere): to the log-in page, and back here after.
      if (r.status === 401 && !opts.stayOnAuth) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
      }
      var ct = r.headers.get("content-type") || "";
      var parse = ct.indexOf("application/json") >= 0 ? r.json() : r.text();
      return parse.then(function (data) { return { ok: r.ok, status: r.status, data: data }; },
        function () { return { ok: r.ok, status: r.status, data: null }; });
    });
  }

  /* The API's own message (already in the page's language), plus field errors if any. */
  function errorText(res) {
    var d = res && res.data;
    if (!d || typeof d !== "object") return t("error_http", { status: res ? res.status : "?" });
    var text = d.message || d.code || t("error_http", { status: res.status });
    var errs = d.details && d.details.errors;
    if (errs && errs.length) {
      text += " " + errs.map(function (e) {
        return e.message ? (e.field ? e.field + (lang === "en" ? ": " : "：") : "") + e.message : (e.loc || []).slice(1).join(".") + ": " + e.msg;
      }).join(lang === "en" ? "; " : "；");
    }
    return text;
  }

  function show(el, text, kind) {
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
    if (kind) el.className = "notice " + kind;
    if (text && typeof el.focus === "function" && el.getAttribute("tabindex") === null) el.setAttribute("tabindex", "-1");
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  /* Tooltip content that Leaflet shows as text: a string given to bindTooltip is inserted as HTML,
     and names come from enterprises (organisations, sites). A fresh node per layer that shows it. */
  function textTip(text) {
    return function () { return el("span", { text: String(text) }); };
  }

  window.WT = {
    t: t, lang: lang, cookie: cookie, api: api, errorText: errorText, show: show, uuid: uuid, el: el,
    fmtDateTime: fmtDateTime, fmtQty: fmtQty, fmtKm: fmtKm, todayShanghai: todayShanghai, textTip: textTip
  };
})();
