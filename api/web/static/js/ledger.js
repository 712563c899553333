/* The generator's ledger: register containers, choose them for labels, a manifest or own
   handling; and the manifest-from-containers form. Every change is a call to the JSON API. */
(function () {
  "use strict";
  var T = WT.t;

  function value(form, name) { var x = form.elements[name]; return x ? x.value.trim() : ""; }
  function chosen() {
    return Array.prototype.map.call(document.querySelectorAll("#containers input[name=c]:checked"), function (x) { return x; });
  }

  var reg = document.getElementById("register-form");
  if (reg) {
    var out = document.getElementById("register-result");
    reg.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var record = {
        waste_code: value(reg, "waste_code"),
        physical_form: value(reg, "physical_form"),
        container_type: value(reg, "container_type"),
        gross_kg: value(reg, "gross_kg"),
        net_kg: value(reg, "net_kg"),
        generated_on: value(reg, "generated_on"),
        storage_facility: value(reg, "storage_facility"),
        main_components: value(reg, "main_components"),
        count: parseInt(value(reg, "count") || "1", 10),
        is_batch: reg.elements.is_batch.checked
      };
      if (value(reg, "waste_name")) record.waste_name = value(reg, "waste_name");
      if (value(reg, "volume_l")) record.volume_l = value(reg, "volume_l");
      if (!record.waste_code || !(parseFloat(record.net_kg) > 0) || !(parseFloat(record.gross_kg) > 0)) {
        WT.show(out, T("ledger_need_fields"), "notice error");
        return;
      }
      WT.api("POST", "/api/v1/containers", { site_id: reg.getAttribute("data-site"), records: [record] }).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        var ids = res.data.map(function (c) { return c.id; });
        WT.show(out, T("ledger_registered", { n: res.data.length, first: res.data[0].identification_code }), "notice ok");
        out.appendChild(document.createTextNode(" "));
        out.appendChild(WT.el("a", { href: "/ledger/labels?ids=" + ids.join(","), text: T("ledger_print_new") }));
        out.appendChild(document.createTextNode(" · "));
        out.appendChild(WT.el("a", { href: location.pathname + location.search, text: T("ledger_reload") }));
        out.focus();
      });
    });
  }

  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("#containers input[name=c]").forEach(function (x) { x.checked = all.checked; });
    });
  }
  var listOut = document.getElementById("list-result");
  function needSome(inStorage) {
    var c = chosen();
    if (inStorage) c = c.filter(function (x) { return !x.getAttribute("data-out"); });
    if (!c.length) { WT.show(listOut, T(inStorage ? "ledger_choose_stored" : "ledger_choose"), "notice warn"); listOut.focus(); }
    return c.map(function (x) { return x.value; });
  }
  var printBtn = document.getElementById("print-labels");
  if (printBtn) printBtn.addEventListener("click", function () {
    var ids = needSome(false);
    if (ids.length) location.href = "/ledger/labels?ids=" + ids.join(",");
  });
  var mk = document.getElementById("make-manifest");
  if (mk) mk.addEventListener("click", function () {
    var ids = needSome(true);
    if (ids.length) location.href = "/ledger/manifest?ids=" + ids.join(",");
  });
  var handle = document.getElementById("handle-form");
  if (handle) handle.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var ids = needSome(true);
    if (!ids.length) return;
    var facility = value(handle, "facility");
    if (!facility) { WT.show(listOut, T("ledger_need_facility"), "notice error"); return; }
    WT.api("POST", "/api/v1/containers/handle-on-site", { container_ids: ids, method_code: value(handle, "method_code"), facility: facility })
      .then(function (res) {
        if (!res.ok) { WT.show(listOut, WT.errorText(res), "notice error"); listOut.focus(); return; }
        location.reload();
      });
  });

  var lm = document.getElementById("lm-form");
  if (lm) {
    var lmOut = document.getElementById("lm-result");
    lm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {
        generator_site_id: lm.getAttribute("data-site"),
        container_ids: lm.getAttribute("data-ids").split(","),
        carrier_org_id: value(lm, "carrier_org_id"),
        receiver_site_id: value(lm, "receiver_site_id"),
        planned_method_code: value(lm, "planned_method_code"),
        planned_pickup_date: value(lm, "planned_pickup_date"),
        emergency_measures: value(lm, "emergency_measures"),
        emergency_contact: value(lm, "emergency_contact"),
        emergency_phone: value(lm, "emergency_phone")
      };
      WT.api("POST", "/api/v1/manifests/from-containers", body, { idempotencyKey: WT.uuid() }).then(function (res) {
        if (!res.ok) { WT.show(lmOut, WT.errorText(res), "notice error"); lmOut.focus(); return; }
        location.href = "/m/" + res.data.id;
      });
    });
  }
})();
