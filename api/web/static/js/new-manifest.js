/* The generator's new-manifest form: waste codes searched as you type, licensed receivers for
   those codes sorted by distance with the jurisdiction rule explained, then draft + submit. */
(function () {
  "use strict";
  var T = WT.t, el = WT.el;
  var form = document.getElementById("new-manifest");
  if (!form) return;
  var list = document.getElementById("line-list");
  var tpl = document.getElementById("line-template");
  var box = document.getElementById("candidates");
  var methodSel = document.getElementById("planned_method_code");
  var errBox = document.getElementById("form-error");
  var ruleKind = document.getElementById("rule-kind");
  var methods = {};
  JSON.parse(document.getElementById("methods-data").textContent).forEach(function (m) { methods[m.code] = m; });

  var lines = [];
  var seq = 0;
  var candidates = [];
  var draftId = null;
  var busy = false;
  // Editing a draft, or copying a manifest: the values the form starts from (the receiver and the
  // method are chosen once the candidates for the codes have loaded).
  var prefillNode = document.getElementById("prefill-data");
  var prefill = prefillNode ? JSON.parse(prefillNode.textContent) : null;
  var wantReceiver = prefill ? prefill.receiver_site_id : null;
  var wantMethod = prefill ? prefill.planned_method_code : null;

  function debounce(fn, ms) {
    var h;
    return function () { clearTimeout(h); h = setTimeout(fn, ms); };
  }

  /* --- lines with a waste-code combobox ------------------------------------------------------ */

  function addLine() {
    var n = ++seq;
    var node = tpl.content.firstElementChild.cloneNode(true);
    node.querySelectorAll("[data-id]").forEach(function (x) { x.id = "l" + n + "-" + x.getAttribute("data-id"); });
    node.querySelectorAll("[data-for]").forEach(function (x) { x.setAttribute("for", "l" + n + "-" + x.getAttribute("data-for")); });
    var line = {
      n: n, node: node, code: null, kind: null,
      input: node.querySelector(".code-input"), listbox: node.querySelector(".listbox"), desc: node.querySelector("[data-desc]"),
      qty: node.querySelector("[data-id=qty]"), unit: node.querySelector("[data-id=unit]"), form: node.querySelector("[data-id=form]"),
      ctype: node.querySelector("[data-id=ctype]"), ccount: node.querySelector("[data-id=ccount]"), active: -1, options: []
    };
    line.input.setAttribute("aria-controls", line.listbox.id);
    node.querySelector("[data-remove]").addEventListener("click", function () {
      if (lines.length === 1) return;
      lines = lines.filter(function (l) { return l !== line; });
      node.remove();
      renumber();
      refresh();
    });
    wireCombo(line);
    line.qty.addEventListener("input", debounce(refresh, 500));
    line.unit.addEventListener("change", refresh);
    lines.push(line);
    list.appendChild(node);
    renumber();
    return line;
  }

  function renumber() {
    lines.forEach(function (l, i) {
      l.node.querySelector("[data-line-title]").textContent = T("line_title", { n: i + 1 });
      l.node.querySelector("[data-remove]").hidden = lines.length === 1;
    });
  }

  function closeList(line) {
    line.listbox.hidden = true;
    line.input.setAttribute("aria-expanded", "false");
    line.input.removeAttribute("aria-activedescendant");
    line.active = -1;
  }

  function choose(line, item) {
    line.code = item.code;
    line.kind = item.kind;
    line.input.value = item.code;
    line.desc.textContent = item.category_code + " " + (WT.lang === "en" && item.category_name_en ? item.category_name_en : item.category_name) +
      " · " + item.description + (item.hazard_characteristics.length ? " · " + T("hazards") + " " + item.hazard_characteristics.join(", ") : "");
    line.input.setAttribute("aria-invalid", "false");
    if (item.kind === "general" && line.form.value === "liquid") line.form.value = "solid";
    closeList(line);
    refresh();
  }

  function setActive(line, i) {
    var opts = line.listbox.children;
    if (!opts.length) return;
    line.active = (i + opts.length) % opts.length;
    Array.prototype.forEach.call(opts, function (o, k) { o.setAttribute("aria-selected", k === line.active ? "true" : "false"); });
    line.input.setAttribute("aria-activedescendant", opts[line.active].id);
    opts[line.active].scrollIntoView({ block: "nearest" });
  }

  function wireCombo(line) {
    var search = debounce(function () {
      var q = line.input.value.trim();
      if (!q) { closeList(line); return; }
      WT.api("GET", "/api/v1/waste-codes?limit=8&q=" + encodeURIComponent(q)).then(function (res) {
        if (q !== line.input.value.trim()) return;
        line.options = res.ok ? res.data.items : [];
        line.listbox.textContent = "";
        line.options.forEach(function (item, i) {
          var li = el("li", { role: "option", id: line.listbox.id + "-" + i, "aria-selected": "false", class: "option" }, [
            el("span", { class: "mono wcode", text: item.code }), " ",
            el("span", { text: item.category_code + " · " + item.description })
          ]);
          li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(line, item); });
          line.listbox.appendChild(li);
        });
        if (!line.options.length) line.listbox.appendChild(el("li", { class: "option muted", "aria-disabled": "true", text: T("no_codes") }));
        line.listbox.hidden = false;
        line.input.setAttribute("aria-expanded", "true");
      }, function () { /* offline: keep typing */ });
    }, 200);
    line.input.addEventListener("input", function () {
      if (line.code && line.input.value.trim() !== line.code) { line.code = null; line.kind = null; line.desc.textContent = ""; refresh(); }
      search();
    });
    line.input.addEventListener("keydown", function (ev) {
      var open = !line.listbox.hidden;
      if (ev.key === "ArrowDown") { ev.preventDefault(); if (open) setActive(line, line.active + 1); else search(); }
      else if (ev.key === "ArrowUp" && open) { ev.preventDefault(); setActive(line, line.active - 1); }
      else if (ev.key === "Enter" && open && line.active >= 0 && line.options[line.active]) { ev.preventDefault(); choose(line, line.options[line.active]); }
      else if (ev.key === "Escape" && open) { ev.preventDefault(); closeList(line); }
    });
    line.input.addEventListener("blur", function () {
      setTimeout(function () { closeList(line); }, 100);
      var typed = line.input.value.trim();
      if (typed && !line.code) {
        var exact = line.options.filter(function (o) { return o.code.toLowerCase() === typed.toLowerCase(); })[0];
        if (exact) choose(line, exact);
        else line.input.setAttribute("aria-invalid", "true");
      }
    });
  }

  /* --- receivers for the chosen codes ------------------------------------------------------- */

  function totalKg() {
    return lines.reduce(function (s, l) {
      var q = parseFloat(l.qty.value);
      return s + (q > 0 ? q * (l.unit.value === "t" ? 1000 : 1) : 0);
    }, 0);
  }

  var refreshSeq = 0;
  function refreshNow() {
    var codes = lines.filter(function (l) { return l.code; }).map(function (l) { return l.code; });
    var kinds = {};
    lines.forEach(function (l) { if (l.kind) kinds[l.kind] = true; });
    ruleKind.textContent = kinds.hazardous && !kinds.general ? T("rule_hazardous") : kinds.general && !kinds.hazardous ? T("rule_general") : "";
    if (!codes.length) { renderCandidates(null, T("pick_codes_first")); return; }
    if (kinds.hazardous && kinds.general) { renderCandidates(null, T("mixed_kinds")); return; }
    if (form.planned_pickup_date.validity.rangeUnderflow) { renderCandidates(null, T("pickup_in_past", { min: form.planned_pickup_date.min })); return; }
    var q = "generator_site_id=" + encodeURIComponent(form.generator_site_id.value) +
      codes.map(function (c) { return "&codes=" + encodeURIComponent(c); }).join("") +
      "&on=" + encodeURIComponent(form.planned_pickup_date.value || WT.todayShanghai());
    var kg = totalKg();
    if (kg > 0) q += "&quantity_kg=" + kg.toFixed(3);
    var mine = ++refreshSeq;
    box.setAttribute("aria-busy", "true");
    WT.api("GET", "/api/v1/receivers/candidates?" + q).then(function (res) {
      if (mine !== refreshSeq) return;
      box.removeAttribute("aria-busy");
      if (!res.ok) { renderCandidates(null, WT.errorText(res)); return; }
      renderCandidates(res.data.items, null);
    }, function () { box.removeAttribute("aria-busy"); renderCandidates(null, T("offline")); });
  }
  var refresh = debounce(refreshNow, 150);

  function renderCandidates(items, message) {
    var previous = form.querySelector("input[name=receiver_site_id]:checked");
    var keep = previous ? previous.value : wantReceiver;
    candidates = items || [];
    box.textContent = "";
    if (message) { box.appendChild(el("p", { class: "muted", text: message })); fillMethods(null); return; }
    if (!candidates.length) { box.appendChild(el("p", { class: "notice warn", text: T("no_receivers") })); fillMethods(null); return; }
    var fs = el("fieldset", { class: "candidates" }, [el("legend", { text: T("receivers_legend") })]);
    var firstAllowed = null;
    candidates.forEach(function (c, i) {
      var blocked = c.outcome === "needs_exemption";
      var id = "cand-" + i;
      var input = el("input", { type: "radio", name: "receiver_site_id", value: c.site_id, id: id, disabled: blocked, "aria-describedby": id + "-why" });
      if (!blocked && firstAllowed === null) firstAllowed = input;
      if (keep && keep === c.site_id && !blocked) input.checked = true;
      input.addEventListener("change", function () { fillMethods(c); });
      var label = el("label", { for: id, class: "candidate outcome-" + c.outcome }, [
        el("span", { class: "cand-name" }, [c.organisation_name, el("span", { class: "muted", text: " · " + c.site_name })]),
        el("span", { class: "cand-where", text: c.city_name + " " + c.county_name + " · " + WT.fmtKm(c.distance_m) }),
        el("span", { class: "badge outcome-" + c.outcome, text: T("outcome_" + c.outcome) }),
        el("span", { class: "cand-why", id: id + "-why", text: c.explanation }),
        el("span", { class: "cand-meta small muted", text: T("licence") + " " + c.licence_numbers.join(", ") + " · " + T("methods") + " " +
          c.methods.join(", ") + (c.capacity_left_t !== null ? " · " + T("capacity_left", { t: Number(c.capacity_left_t).toLocaleString("en-US") }) : "") })
      ]);
      fs.appendChild(el("div", { class: "cand-row" }, [input, label]));
    });
    box.appendChild(fs);
    var chosen = form.querySelector("input[name=receiver_site_id]:checked") || firstAllowed;
    if (chosen) {
      chosen.checked = true;
      if (chosen.value === wantReceiver) wantReceiver = null;
      fillMethods(candidates.filter(function (c) { return c.site_id === chosen.value; })[0]);
    }
    else fillMethods(null);
  }

  function fillMethods(c) {
    var prev = methodSel.value || wantMethod;
    if (c && wantMethod && c.methods.indexOf(wantMethod) >= 0) wantMethod = null;
    methodSel.textContent = "";
    if (!c) { methodSel.appendChild(el("option", { value: "", text: T("pick_receiver_first") })); return; }
    c.methods.forEach(function (code) {
      var m = methods[code];
      var name = m ? (WT.lang === "en" ? m.name_en : m.name) : "";
      methodSel.appendChild(el("option", { value: code, text: code + " " + name, selected: code === prev }));
    });
  }

  /* --- handovers between carriers (Art. 17: up to four more carriers) -------------------------- */

  var handoverList = document.getElementById("handover-list");
  var handoverRow = document.getElementById("handover-row");
  var addHandover = document.getElementById("add-handover");

  function numberHandovers() {
    handoverList.querySelectorAll("li").forEach(function (li, i) {
      var n = i + 2;
      li.querySelectorAll("select").forEach(function (sel) {
        var id = sel.className + "-" + n;
        sel.id = id;
        sel.previousElementSibling.setAttribute("for", id);
        sel.setAttribute("aria-describedby", "handover-n-" + n);
      });
      var label = li.querySelector(".handover-n") || el("span", { class: "handover-n sr-only", id: "handover-n-" + n });
      label.textContent = T("handover_n", { n: n });
      if (!label.parentNode) li.insertBefore(label, li.firstChild);
    });
    addHandover.hidden = handoverList.children.length >= 4;
  }

  if (addHandover) {
    addHandover.addEventListener("click", function () {
      var li = handoverRow.content.firstElementChild.cloneNode(true);
      li.querySelector(".remove-handover").addEventListener("click", function () { li.remove(); numberHandovers(); });
      handoverList.appendChild(li);
      numberHandovers();
      li.querySelector("select").focus();
    });
  }

  function handovers() {
    return Array.prototype.map.call(handoverList ? handoverList.children : [], function (li) {
      return { carrier_org_id: li.querySelector(".handover-carrier").value, site_id: li.querySelector(".handover-site").value };
    });
  }

  /* --- draft and submit ---------------------------------------------------------------------- */

  function body() {
    var chosen = form.querySelector("input[name=receiver_site_id]:checked");
    return {
      generator_site_id: form.generator_site_id.value,
      carrier_org_id: form.carrier_org_id.value,
      planned_vehicle_plate: form.planned_vehicle_plate.value || (draftId ? "" : null),
      planned_driver_id: form.planned_driver_id.value || (draftId ? "" : null),
      receiver_site_id: chosen ? chosen.value : null,
      planned_method_code: methodSel.value,
      planned_pickup_date: form.planned_pickup_date.value,
      emergency_measures: form.emergency_measures.value,
      emergency_contact: form.emergency_contact.value,
      emergency_phone: form.emergency_phone.value,
      notes: form.notes.value,
      handovers: handovers(),
      lines: lines.map(function (l) {
        return {
          waste_code: l.code || l.input.value.trim(), physical_form: l.form.value, quantity: l.qty.value, unit: l.unit.value,
          container_type: l.ctype.value, container_count: parseInt(l.ccount.value || "0", 10)
        };
      })
    };
  }

  /* Why the browser refuses a field, in words: empty, too short, wrong characters, too early. */
  function fieldProblem(input) {
    var field = ((form.querySelector("label[for='" + input.id + "']") || {}).textContent || input.name).trim();
    var v = input.validity;
    if (v.valueMissing) return T("need_field", { field: field });
    if (input.type === "tel" && (v.patternMismatch || /[^0-9+() \-]/.test(input.value))) return T("field_phone", { field: field });
    if (v.tooShort) return T("field_too_short", { field: field, n: input.minLength });
    if (v.rangeUnderflow && input.type === "date") return T("pickup_in_past", { min: input.min });
    return T("field_invalid", { field: field });
  }

  function problem() {
    for (var i = 0; i < lines.length; i++) {
      if (!lines[i].code) { lines[i].input.focus(); return T("need_code", { n: i + 1 }); }
      if (!(parseFloat(lines[i].qty.value) > 0)) { lines[i].qty.focus(); return T("need_qty", { n: i + 1 }); }
    }
    var day = form.planned_pickup_date;
    if (day.validity.rangeUnderflow) { day.focus(); return T("pickup_in_past", { min: day.min }); }
    if (!form.querySelector("input[name=receiver_site_id]:checked")) return T("need_receiver");
    if (!methodSel.value) return T("need_method");
    var bad = form.querySelector("input:invalid, textarea:invalid, select:invalid");
    if (bad) { bad.focus(); return fieldProblem(bad); }
    return null;
  }

  function fail(text) {
    WT.show(errBox, text, "notice error");
    errBox.focus();
    busy = false;
  }

  function save(andSubmit) {
    if (busy) return;
    var p = problem();
    if (p) { fail(p); return; }
    busy = true;
    WT.show(errBox, "", null);
    var b = body();
    var step = draftId ? WT.api("PATCH", "/api/v1/manifests/" + draftId, b) : WT.api("POST", "/api/v1/manifests", b, { idempotencyKey: WT.uuid() });
    step.then(function (res) {
      if (!res.ok) { fail(WT.errorText(res)); return; }
      draftId = res.data.id;
      if (!andSubmit) { window.location.assign("/m/" + draftId); return; }
      return WT.api("POST", "/api/v1/manifests/" + draftId + "/submit", null, { idempotencyKey: WT.uuid() }).then(function (r2) {
        if (!r2.ok) { fail(T("draft_kept") + " " + WT.errorText(r2)); return; }
        window.location.assign("/m/" + draftId + "?created=1");
      });
    }, function () { fail(T("offline")); });
  }

  document.getElementById("add-line").addEventListener("click", function () { addLine().input.focus(); });
  document.getElementById("save-draft").addEventListener("click", function () { save(false); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); save(true); });
  form.generator_site_id.addEventListener("change", refresh);
  form.planned_pickup_date.addEventListener("change", refresh);

  /* --- the carrier's permits, trucks and drivers ---------------------------------------------- */

  var permitsBox = document.getElementById("carrier-permits");
  var fleetSeq = 0;
  function options(select, items, keep) {
    var first = select.options[0];
    select.textContent = "";
    select.appendChild(first);
    items.forEach(function (it) { select.appendChild(el("option", { value: it.value, text: it.text })); });
    if (keep && items.some(function (it) { return it.value === keep; })) select.value = keep;
  }
  function loadFleet(keepVehicle, keepDriver) {
    var mine = ++fleetSeq;
    var day = form.planned_pickup_date.value || WT.todayShanghai();
    WT.api("GET", "/api/v1/organisations/" + form.carrier_org_id.value + "/fleet?on=" + encodeURIComponent(day)).then(function (res) {
      if (mine !== fleetSeq) return;
      permitsBox.textContent = "";
      if (!res.ok) { permitsBox.appendChild(el("p", { class: "muted", text: WT.errorText(res) })); return; }
      var f = res.data;
      var valid = f.permits.filter(function (p) { return p.valid_on_day; });
      if (!valid.length) permitsBox.appendChild(el("p", { class: "notice error", text: T("permit_none_valid", { day: day }) }));
      valid.forEach(function (p) {
        var soon = p.days_left <= 30;
        permitsBox.appendChild(el("p", { class: soon ? "notice warn" : "permit-ok", text: T(p.hazardous_allowed ? "permit_valid_hazardous" : "permit_valid", { number: p.number, to: p.valid_to }) + (soon ? " " + T("permit_expires_soon", { n: p.days_left }) : "") }));
      });
      options(form.planned_vehicle_plate, f.vehicles.map(function (v) {
        return { value: v.plate, text: v.plate + " · " + WT.fmtQty(v.capacity_kg) + (v.permit_valid_to ? " · " + T("valid_to", { to: v.permit_valid_to }) : "") };
      }), keepVehicle || form.planned_vehicle_plate.value);
      options(form.planned_driver_id, f.drivers.map(function (d) { return { value: d.id, text: d.name }; }), keepDriver || form.planned_driver_id.value);
    }, function () { if (mine === fleetSeq) permitsBox.textContent = T("offline"); });
  }
  form.carrier_org_id.addEventListener("change", function () { loadFleet(null, null); });
  form.planned_pickup_date.addEventListener("change", function () { loadFleet(null, null); });

  function addHandoverRow() {
    addHandover.click();
    return handoverList.lastElementChild;
  }

  function start(p) {
    draftId = p.draft_id;
    ["generator_site_id", "carrier_org_id", "planned_pickup_date", "emergency_measures", "emergency_contact", "emergency_phone", "notes"]
      .forEach(function (k) { if (form[k] && p[k] !== null && p[k] !== undefined) form[k].value = p[k]; });
    (p.handovers || []).forEach(function (h) {
      var li = addHandoverRow();
      li.querySelector(".handover-carrier").value = h.carrier_org_id;
      li.querySelector(".handover-site").value = h.site_id;
      document.getElementById("handovers-box").open = true;
    });
    p.lines.forEach(function (x) {
      var line = addLine();
      line.input.value = x.waste_code;
      line.qty.value = x.quantity;
      line.unit.value = "kg";
      line.form.value = x.physical_form;
      line.ctype.value = x.container_type;
      line.ccount.value = x.container_count;
      // The code as the catalogue describes it, chosen as if picked from the list.
      WT.api("GET", "/api/v1/waste-codes?limit=8&q=" + encodeURIComponent(x.waste_code)).then(function (res) {
        var hit = res.ok ? res.data.items.filter(function (i) { return i.code === x.waste_code; })[0] : null;
        if (hit) { choose(line, hit); line.form.value = x.physical_form; }
      });
    });
  }

  if (prefill) start(prefill);
  else addLine();
  loadFleet(prefill && prefill.planned_vehicle_plate, prefill && prefill.planned_driver_id);
})();
