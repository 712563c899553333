/* The management plan form (rows of wastes, storage and transfers, added and removed in place),
   and the plan's actions: submit, and the bureau's accept / return. */
(function () {
  "use strict";
  var T = WT.t;
  var form = document.getElementById("plan-form");
  var status = document.getElementById("plan-result");

  function act(id, path, body) {
    WT.api("POST", "/api/v1/plans/" + id + path, body || {}).then(function (res) {
      if (!res.ok) { WT.show(status, WT.errorText(res), "notice error"); status.focus(); return; }
      location.reload();
    });
  }
  var sub = document.getElementById("plan-submit");
  if (sub) sub.addEventListener("click", function () { act(sub.getAttribute("data-plan"), "/submit"); });
  var acc = document.getElementById("plan-accept");
  if (acc) acc.addEventListener("click", function () { act(acc.getAttribute("data-plan"), "/accept", {}); });
  var ret = document.getElementById("plan-return");
  if (ret) ret.addEventListener("click", function () {
    var reason = document.getElementById("return-reason").value.trim();
    if (!reason) { WT.show(status, T("plan_need_reason"), "notice error"); return; }
    act(ret.getAttribute("data-plan"), "/return", { reason: reason });
  });
  if (!form) return;

  form.addEventListener("click", function (ev) {
    var add = ev.target.closest("[data-add]");
    if (add) {
      var kind = add.getAttribute("data-add");
      var rows = form.querySelectorAll("[data-row=" + kind + "]");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (x) { x.value = ""; });
      add.parentNode.insertBefore(copy, add);
      var first = copy.querySelector("input, select");
      if (first) first.focus();
      return;
    }
    var rm = ev.target.closest("[data-remove]");
    if (rm) {
      var row = rm.closest("[data-row]");
      var same = form.querySelectorAll("[data-row=" + row.getAttribute("data-row") + "]");
      if (same.length > 1) row.remove();
      else row.querySelectorAll("input").forEach(function (x) { x.value = ""; });
    }
  });

  /* The rows of one kind whose ``key`` field is filled in (an untouched row is left out). */
  function rows(kind, fields, key) {
    var out = [];
    form.querySelectorAll("[data-row=" + kind + "]").forEach(function (row) {
      var o = {};
      fields.forEach(function (f) {
        var x = row.querySelector("[name=" + f + "]");
        o[f] = x ? x.value.trim() : "";
      });
      if (o[key]) out.push(o);
    });
    return out;
  }

  var out = document.getElementById("form-result");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = function (n) { var x = form.elements[n]; return x ? x.value.trim() : ""; };
    var body = {
      unit: { contact_name: v("contact_name"), contact_phone: v("contact_phone"), products: v("products") },
      wastes: rows("waste", ["waste_code", "name", "main_components", "physical_form", "expected_t"], "waste_code"),
      storage_facilities: rows("storage", ["name", "type", "capacity_t"], "name"),
      transfers: rows("transfer", ["receiver_site_id", "licence_number", "method_code", "waste_codes", "expected_t"], "waste_codes").map(function (tr) {
        tr.waste_codes = tr.waste_codes.split(/[,，、\s]+/).filter(Boolean);
        return tr;
      }),
      own_handling: rows("own", ["waste_code", "method_code", "facility", "expected_t"], "waste_code")
    };
    var id = form.getAttribute("data-plan");
    var req = id
      ? WT.api("PUT", "/api/v1/plans/" + id, { body: body, reason: v("reason") })
      : WT.api("POST", "/api/v1/plans", { site_id: v("site_id"), year: parseInt(v("year"), 10), kind: v("kind"), body: body });
    req.then(function (res) {
      if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
      location.href = "/plans/" + res.data.id;
    });
  });
})();
