/* Drawing a load's track (GET /api/v1/tracks/{id}: GeoJSON) on a Leaflet map: the journey as a
   line, its stops as orange markers, its gaps as dashed grey segments. */
(function () {
  "use strict";
  var T = WT.t;
  var STYLE = { track: { color: "#6a1b9a", weight: 3 }, gap: { color: "#5b6670", weight: 2, dashArray: "6 6" } };

  function draw(map, fc, bounds) {
    var n = 0;
    (fc.features || []).forEach(function (f) {
      var p = f.properties || {};
      if (f.geometry.type === "LineString") {
        var ll = f.geometry.coordinates.map(WT.map.latLng);
        var line = L.polyline(ll, STYLE[p.kind] || STYLE.track).addTo(map);
        line.getElement && line.getElement() && line.getElement().setAttribute("data-kind", p.kind);
        var tip = p.kind === "gap" ? T("track_gap", { minutes: p.minutes }) :
          T("track_line", { points: p.points, km: p.driven_km });
        line.bindTooltip(WT.textTip(tip));
        ll.forEach(function (x) { bounds.extend(x); });
        n++;
      } else if (p.kind === "stop") {
        var at = WT.map.latLng(f.geometry.coordinates);
        L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: "#e65100", fillOpacity: 1 })
          .bindTooltip(WT.textTip(T("track_stop", { minutes: p.minutes, start: WT.fmtDateTime(p.start) }))).addTo(map);
        bounds.extend(at);
        n++;
      }
    });
    return n;
  }

  function load(map, manifestId, bounds) {
    return WT.api("GET", "/api/v1/tracks/" + manifestId).then(function (res) {
      return res.ok ? draw(map, res.data, bounds) : 0;
    }, function () { return 0; });
  }

  WT.track = { draw: draw, load: load };
})();
