/* The approved routes page: the routes on the map, registering one from a GeoJSON line, retiring one. */
(function () {
  "use strict";
  var T = WT.t;
  var node = document.getElementById("routes-map");
  if (node && window.L) {
    Promise.all([WT.api("GET", "/api/v1/routes"), WT.map.loadBase()]).then(function (res) {
      var map = WT.map.create(node);
      WT.map.drawBase(map, res[1], { counties: [], cities: [] });
      var layer = L.geoJSON(res[0].ok ? res[0].data : { type: "FeatureCollection", features: [] }, {
        style: function (f) { return { color: f.properties.valid_to ? "#777" : "#6a1b9a", weight: 4, dashArray: f.properties.valid_to ? "6 6" : null }; },
        onEachFeature: function (f, l) { l.bindTooltip(WT.textTip(f.properties.pickup_site + " → " + f.properties.receiver_site)); }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b.pad(0.2), { animate: false }); else map.setView([30.75, 120.75], 9);
      node.setAttribute("data-ready", "true");
    }, function () { node.textContent = T("map_failed"); });
  }
  var out = document.getElementById("routes-result");
  document.querySelectorAll(".retire-route").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var today = document.getElementById("r-valid").value;
      WT.api("POST", "/api/v1/routes/" + btn.getAttribute("data-id") + "/retire", { on: today }).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        location.reload();
      });
    });
  });
  var form = document.getElementById("routes-form");
  if (!form) return;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = document.getElementById("r-file").files[0];
    if (!file) { WT.show(out, T("zones_need_file"), "notice error"); out.focus(); return; }
    file.text().then(function (txt) {
      var doc;
      try { doc = JSON.parse(txt); } catch (e) { WT.show(out, T("zones_not_json"), "notice error"); out.focus(); return; }
      if (doc && doc.type === "FeatureCollection" && doc.features && doc.features.length === 1) doc = doc.features[0];
      var body = { pickup_site_id: document.getElementById("r-from").value, receiver_site_id: document.getElementById("r-to").value,
        geojson: doc, valid_from: document.getElementById("r-valid").value, datum: document.getElementById("r-datum").value,
        note: document.getElementById("r-note").value.trim() };
      return WT.api("POST", "/api/v1/routes", body).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        location.reload();
      });
    });
  });
})();
