/* Weighbridge tickets: one ticket typed in, or a scale's CSV export uploaded. */
(function () {
  "use strict";
  var T = WT.t;
  function offset(local) {  /* a datetime-local value, read as Shanghai time */
    return local.length === 16 ? local + ":00+08:00" : local;
  }
  var one = document.getElementById("ticket-form");
  if (one) {
    var out = document.getElementById("ticket-result");
    one.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = function (n) { return one.elements[n].value.trim(); };
      var t = { plate: v("plate"), gross_kg: v("gross_kg"), tare_kg: v("tare_kg"), net_kg: v("net_kg"),
        weighed_at: offset(v("weighed_at")), scale_id: v("scale_id") };
      WT.api("POST", "/api/v1/tickets", { site_id: v("site_id"), side: one.getAttribute("data-side"), tickets: [t] }).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        location.reload();
      });
    });
  }
  var csvForm = document.getElementById("csv-form");
  if (csvForm) {
    var cout = document.getElementById("csv-result");
    csvForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = document.getElementById("csv-file").files[0];
      if (!file) { WT.show(cout, T("tickets_need_file"), "notice error"); return; }
      file.text().then(function (txt) {
        return WT.api("POST", "/api/v1/tickets/csv", { site_id: document.getElementById("csv-site").value,
          side: csvForm.getAttribute("data-side"), csv: txt });
      }).then(function (res) {
        if (!res.ok) { WT.show(cout, WT.errorText(res), "notice error"); cout.focus(); return; }
        location.reload();
      });
    });
  }
})();
