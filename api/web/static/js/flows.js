/* Flows between counties for the chosen period: a line per (from, to) pair, its width by tonnage,
   flows leaving the county in orange and leaving the city in red; transfers inside one county are
   circles. The same numbers are in the table below the map. */
(function () {
  "use strict";
  var T = WT.t;
  var node = document.getElementById("flows-map");
  if (!node) return;
  var rows = JSON.parse(document.getElementById("flows-data").textContent);
  var COLOR = { in: "#1b7f3b", county: "#c05600", city: "#b00020" };

  WT.map.loadBase().then(function (base) {
    var counties = [];
    rows.forEach(function (r) { [r.generator_county, r.receiver_county].forEach(function (c) { if (counties.indexOf(c) < 0) counties.push(c); }); });
    var map = WT.map.create(node);
    WT.map.drawBase(map, base, { counties: counties, cities: [] });
    var jiaxing = L.geoJSON({ type: "FeatureCollection", features: base.features.filter(function (f) { return f.properties.parent_adcode === 330400; }) });
    var bounds = jiaxing.getBounds();
    var maxT = rows.reduce(function (m, r) { return Math.max(m, r.tonnes); }, 0) || 1;
    var width = function (t) { return 2 + 12 * Math.sqrt(t / maxT); };
    var at = function (c) { var f = WT.map.feature(base, c); return f ? WT.map.latLng(f.properties.label) : null; };
    var nameOf = function (c) { var f = WT.map.feature(base, c); return f ? WT.map.name(f.properties) : String(c); };
    rows.slice().sort(function (a, b) { return b.tonnes - a.tonnes; }).forEach(function (r) {
      var a = at(r.generator_county), b = at(r.receiver_county);
      if (!a || !b) return;
      var kind = r.out_of_city ? "city" : r.out_of_county ? "county" : "in";
      var tip = nameOf(r.generator_county) + " → " + nameOf(r.receiver_county) + ": " + T("flow_tip", { n: r.manifests, t: r.tonnes.toFixed(3) });
      if (kind === "in") {
        L.circleMarker(a, { radius: 4 + width(r.tonnes), color: COLOR.in, weight: 2, fillColor: COLOR.in, fillOpacity: 0.35 }).bindTooltip(WT.textTip(tip)).addTo(map);
      } else {
        L.polyline([a, b], { color: COLOR[kind], weight: width(r.tonnes), opacity: 0.85, lineCap: "round" })
          .bindTooltip(WT.textTip(tip), { sticky: true }).addTo(map);
        L.circleMarker(b, { radius: 5, color: "#fff", weight: 2, fillColor: COLOR[kind], fillOpacity: 1 }).bindTooltip(WT.textTip(tip)).addTo(map);
      }
      bounds.extend(a); bounds.extend(b);
    });
    map.fitBounds(bounds.pad(0.08), { animate: false });
    node.setAttribute("data-ready", "true");
  }, function () { node.textContent = T("map_failed"); });
})();
