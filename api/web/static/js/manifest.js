/* Actions on one manifest (submit, delete, cancel, return, redirect, receive, dispose): each calls
   the JSON API with an Idempotency-Key and reloads the page, whose timeline then shows the new
   event (a redirect opens the new manifest the waste travels on). */
(function () {
  "use strict";
  var T = WT.t;
  var box = document.getElementById("actions");
  if (!box) return;
  var id = box.getAttribute("data-manifest-id");
  var errBox = document.getElementById("action-error");
  var base = "/api/v1/manifests/" + id;
  var busy = false;

  /* After an action the page reloads and says what was done (?done=receive). */
  function done(act) { return function () { window.location.assign(window.location.pathname + "?done=" + act); }; }

  function run(method, path, body, button, then) {
    if (busy) return;
    busy = true;
    if (button) button.disabled = true;
    WT.show(errBox, "", null);
    WT.api(method, path, body, { idempotencyKey: WT.uuid() }).then(function (res) {
      busy = false;
      if (button) button.disabled = false;
      if (!res.ok) { WT.show(errBox, WT.errorText(res), "notice error"); errBox.focus(); return; }
      if (then) then(res.data);
      else if (method === "DELETE") window.location.assign("/manifests");
      else window.location.reload();
    }, function () {
      busy = false;
      if (button) button.disabled = false;
      WT.show(errBox, T("offline"), "notice error");
    });
  }

  box.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-act");
      var confirmText = b.getAttribute("data-confirm");
      if (confirmText && !window.confirm(confirmText)) return;
      if (act === "submit") run("POST", base + "/submit", null, b, done("submit"));
      else if (act === "delete") run("DELETE", base, null, b);
    });
  });

  function number(v) { return v === "" || v === null ? null : String(v).trim(); }

  var builders = {
    cancel: function (f) { return ["POST", base + "/cancel", { reason: f.reason.value }]; },
    "return": function (f) { return ["POST", base + "/return", { note: f.note.value }]; },
    receive: function (f) {
      var decision = f.querySelector("input[name=decision]:checked").value;
      var unit = f.unit.value;
      var lines = Array.prototype.map.call(f.querySelectorAll("tr[data-line-no]"), function (row) {
        var line = { line_no: parseInt(row.getAttribute("data-line-no"), 10), quantity: number(row.querySelector("input[name=quantity]").value), unit: unit };
        if (decision === "partial") line.accepted_quantity = number(row.querySelector("input[name=accepted_quantity]").value);
        return line;
      });
      var body = { decision: decision, lines: lines };
      if (f.reason.value.trim()) body.reason = f.reason.value.trim();
      return ["POST", base + "/receive", body];
    },
    redirect: function (f) {
      var target = f.target.value.split("|");
      var body = { receiver_site_id: target[0], planned_method_code: target[1], carrier_org_id: f.carrier_org_id.value, note: f.note.value };
      // The answer is the new manifest the waste now travels on: open it.
      return ["POST", base + "/redirect", body, function (child) { window.location.assign("/m/" + child.id + "?created=1"); }];
    },
    dispose: function (f) {
      return ["POST", base + "/dispose", { method_code: f.method_code.value, disposed_on: f.disposed_on.value, quantity: number(f.quantity.value), unit: "kg" }];
    }
  };

  box.querySelectorAll("form[data-act]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var bad = f.querySelector("input:invalid, textarea:invalid, select:invalid");
      if (bad) { bad.focus(); WT.show(errBox, T("need_field", { field: (f.querySelector("label[for='" + bad.id + "']") || {}).textContent || bad.name }), "notice error"); return; }
      var call = builders[f.getAttribute("data-act")](f);
      run(call[0], call[1], call[2], f.querySelector("button[type=submit]"), call[3] || done(f.getAttribute("data-act")));
    });
  });

  /* Receive: the accepted column and the reason matter only for some decisions. */
  var rf = document.getElementById("receive-form");
  if (rf) {
    var sync = function () {
      var d = rf.querySelector("input[name=decision]:checked").value;
      rf.classList.toggle("is-partial", d === "partial");
      rf.reason.required = d !== "accepted";
      rf.querySelectorAll("input[name=accepted_quantity]").forEach(function (i) { i.required = d === "partial"; });
      // The button says what will be recorded: a rejection is not "confirm receipt".
      rf.querySelector("button[type=submit]").textContent =
        d === "rejected" ? T("receive_reject") : d === "partial" ? T("receive_partial") : T("receive_accept");
    };
    rf.querySelectorAll("input[name=decision]").forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }
})();
