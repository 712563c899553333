/* The manifest page's map: the scans where they happened, the track between them, and the
   approved route for the pair if a regulator registered one. */
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
    // The route a regulator approved for this pair, when there is one: the road the track is judged against.
    var pair = node.getAttribute("data-pair");
    var route = WT.api("GET", "/api/v1/routes?on=" + encodeURIComponent(node.getAttribute("data-day"))).then(function (r) {
      var f = r.ok ? r.data.features.filter(function (x) { return x.properties.pickup_site_id + ">" + x.properties.receiver_site_id === pair; })[0] : null;
      if (!f) return;
      L.geoJSON(f, { style: { color: "#2e7d32", weight: 5, opacity: 0.45, dashArray: "8 6" } })
        .bindTooltip(WT.textTip(WT.t("approved_route") + (f.properties.note ? " · " + f.properties.note : ""))).addTo(map);
      node.setAttribute("data-route", f.id);
    }, function () { /* no route shown */ });
    return Promise.all([WT.track.load(map, id, bounds), route]).then(function (done) {
      var n = done[0];
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { animate: false });
      else map.setView([30.75, 120.75], 9);
      node.setAttribute("data-track-features", String(n));
      node.setAttribute("data-ready", "true");
    });
  }, function () { node.textContent = WT.t("map_failed"); });
})();
