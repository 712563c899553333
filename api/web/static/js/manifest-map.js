/* The manifest page's map: the scans where they happened and the track between them. */
(function () {
  "use strict";
  var node = document.getElementById("manifest-map");
  if (!node || !window.L) return;
  var id = node.getAttribute("data-manifest-id");
  Promise.all([WT.api("GET", "/api/v1/manifests/" + id + "/events"), WT.map.loadBase()]).then(function (res) {
    var events = res[0].ok ? res[0].data : [], base = res[1];
    var map = WT.map.create(node);
    WT.map.drawBase(map, base, { counties: [], cities: [] });
    var bounds = L.latLngBounds([]);
    events.forEach(function (e) {
      if (!e.location) return;
      var ll = WT.map.latLng(e.location.coordinates);
      L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: "#b00020", fillOpacity: 1 })
        .bindTooltip(WT.textTip("#" + e.seq + " " + WT.t("event_" + e.type) + " · " + WT.fmtDateTime(e.server_time))).addTo(map);
      bounds.extend(ll);
    });
    return WT.track.load(map, id, bounds).then(function (n) {
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { animate: false });
      else map.setView([30.75, 120.75], 9);
      node.setAttribute("data-track-features", String(n));
      node.setAttribute("data-ready", "true");
    });
  }, function () { node.textContent = WT.t("map_failed"); });
})();
