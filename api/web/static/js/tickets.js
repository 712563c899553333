/* Weighbridge tickets: one ticket typed in, or a scale's CSV export uploaded. */
(function () {
  "use strict";
  var T = WT.t;
  function offset(local) {  /* a datetime-local value, read as Shanghai time */
    return local.length === 16 ? local + ":00+08:00" : local;
  }
  /* A phone's photo is several MB: shrunk to at most 1600 px as JPEG, it fits the 512 KB limit. */
  function photoBase64(file) {
    if (!file) return Promise.resolve(null);
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(img.src);
        resolve(c.toDataURL("image/jpeg", 0.8).split(",")[1]);
      };
      img.onerror = function () { reject(new Error("image")); };
      img.src = URL.createObjectURL(file);
    });
  }
  var one = document.getElementById("ticket-form");
  if (one) {
    var out = document.getElementById("ticket-result");
    one.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = function (n) { return one.elements[n].value.trim(); };
      var t = { plate: v("plate"), gross_kg: v("gross_kg"), tare_kg: v("tare_kg"), net_kg: v("net_kg"),
        weighed_at: offset(v("weighed_at")), scale_id: v("scale_id") };
      photoBase64(document.getElementById("tk-photo").files[0]).then(function (b64) {
        if (b64) t.photo_base64 = b64;
        return WT.api("POST", "/api/v1/tickets", { site_id: v("site_id"), side: one.getAttribute("data-side"), tickets: [t] });
      }, function () { return null; }).then(function (res) {
        if (!res) { WT.show(out, T("tickets_photo_unreadable"), "notice error"); out.focus(); return; }
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
