/* The protected zones page: the zones on the map, and importing a GeoJSON file. */
(function () {
  "use strict";
  var T = WT.t;
  var node = document.getElementById("zones-map");
  if (node && window.L) {
    Promise.all([WT.api("GET", "/api/v1/zones"), WT.map.loadBase()]).then(function (res) {
      var map = WT.map.create(node);
      WT.map.drawBase(map, res[1], { counties: [], cities: [] });
      var layer = L.geoJSON(res[0].ok ? res[0].data : { type: "FeatureCollection", features: [] }, {
        style: function (f) { return { color: f.properties.kind === "drinking_water" ? "#0b5cad" : "#2e7d32", weight: 2, fillOpacity: 0.25 }; },
        onEachFeature: function (f, l) { l.bindTooltip(WT.textTip(f.properties.name)); }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b.pad(0.2), { animate: false }); else map.setView([30.75, 120.75], 9);
      node.setAttribute("data-ready", "true");
    }, function () { node.textContent = T("map_failed"); });
  }
  var form = document.getElementById("zones-form");
  if (!form) return;
  var out = document.getElementById("zones-result");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = document.getElementById("z-file").files[0];
    if (!file) { WT.show(out, T("zones_need_file"), "notice error"); return; }
    file.text().then(function (txt) {
      var doc;
      try { doc = JSON.parse(txt); } catch (e) { WT.show(out, T("zones_not_json"), "notice error"); out.focus(); return; }
      var body = { geojson: doc, kind: document.getElementById("z-kind").value, valid_from: document.getElementById("z-from").value,
        datum: document.getElementById("z-datum").value, source: document.getElementById("z-source").value.trim() };
      var name = document.getElementById("z-name").value.trim();
      if (name) body.name = name;
      return WT.api("POST", "/api/v1/zones", body).then(function (res) {
        if (!res.ok) { WT.show(out, WT.errorText(res), "notice error"); out.focus(); return; }
        location.reload();
      });
    });
  });
})();
