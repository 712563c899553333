/* Exemption requests: a generator asks or withdraws; a regulator grants, refuses or revokes. */
(function () {
  "use strict";
  var T = WT.t;
  var err = document.getElementById("ex-error");
  function call(method, path, body, button) {
    if (button) button.disabled = true;
    WT.api(method, path, body, { idempotencyKey: WT.uuid() }).then(function (res) {
      if (button) button.disabled = false;
      if (!res.ok) { WT.show(err, WT.errorText(res), "notice error"); err.focus(); return; }
      window.location.reload();
    }, function () { if (button) button.disabled = false; WT.show(err, T("offline"), "notice error"); });
  }
  var ask = document.getElementById("request-form");
  if (ask) {
    ask.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var bad = ask.querySelector("input:invalid, textarea:invalid");
      if (bad) { bad.focus(); WT.show(err, T("need_field", { field: (ask.querySelector("label[for='" + bad.id + "']") || {}).textContent || bad.name }), "notice error"); return; }
      var codes = ask.codes.value.split(/[\s,，、;；]+/).filter(Boolean);
      call("POST", "/api/v1/exemption-requests", {
        generator_site_id: ask.generator_site_id.value, receiver_site_id: ask.receiver_site_id.value, waste_codes: codes,
        quantity: ask.quantity.value, unit: "t", valid_from: ask.valid_from.value, valid_to: ask.valid_to.value, reason: ask.reason.value
      }, ask.querySelector("button[type=submit]"));
    });
  }
  document.querySelectorAll(".withdraw").forEach(function (b) {
    b.addEventListener("click", function () { call("POST", "/api/v1/exemption-requests/" + b.getAttribute("data-id") + "/withdraw", null, b); });
  });
  document.querySelectorAll(".grant-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { note: "" };
      if (f.quantity.value) { body.quantity = f.quantity.value; body.unit = "t"; }
      call("POST", "/api/v1/exemption-requests/" + f.getAttribute("data-id") + "/grant", body, f.querySelector("button"));
    });
  });
  document.querySelectorAll(".refuse-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!f.note.value.trim()) { WT.show(err, T("need_refuse_reason"), "notice error"); f.note.focus(); return; }
      call("POST", "/api/v1/exemption-requests/" + f.getAttribute("data-id") + "/refuse", { note: f.note.value }, f.querySelector("button"));
    });
  });
  document.querySelectorAll(".revoke").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!window.confirm(T("confirm_revoke"))) return;
      call("DELETE", "/api/v1/exemptions/" + b.getAttribute("data-id"), null, b);
    });
  });
})();
