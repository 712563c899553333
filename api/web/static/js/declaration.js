/* Submitting a declaration (the figures are drafted again by the server and frozen), and a
   receiver's monthly balance. */
(function () {
  "use strict";
  var T = WT.t;
  var form = document.getElementById("decl-form");
  if (form) {
    var out = document.getElementById("decl-result");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var reason = form.elements.reason ? form.elements.reason.value.trim() : "";
      if (form.elements.reason && !reason) { WT.show(out, T("decl_need_reason"), "notice error"); return; }
      WT.api("POST", "/api/v1/declarations", {
        site_id: form.getAttribute("data-site"), period_kind: form.getAttribute("data-kind"),
        period_start: form.getAttribute("data-start"), reason: reason, remarks: form.elements.remarks.value.trim()
      }).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        location.reload();
      });
    });
  }
  var rb = document.getElementById("rb-form");
  if (rb) {
    var rbOut = document.getElementById("rb-result");
    rb.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = function (n) { return rb.elements[n].value.trim(); };
      var month = v("month");
      if (month.length === 10) month = month.slice(0, 8) + "01";
      WT.api("POST", "/api/v1/receiver-balances", {
        site_id: rb.getAttribute("data-site"), month: month, utilised_kg: v("utilised_kg"), disposed_kg: v("disposed_kg"),
        stored_end_kg: v("stored_end_kg"), reason: v("reason")
      }).then(function (res) {
        if (!res.ok) { WT.show(rbOut, WT.errorText(res), "notice error"); rbOut.focus(); return; }
        location.reload();
      });
    });
  }
})();
