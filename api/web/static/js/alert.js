/* One alert: the map of where things happened (generator, receiver, every scan) over the county
   and city boundaries involved, and the regulator's workflow buttons. */
(function () {
  "use strict";
  var T = WT.t;
  var node = document.getElementById("alert-map");
  var actions = document.getElementById("alert-actions");
  if (!node || !actions) return;
  var id = node.getAttribute("data-alert-id");
  var COLORS = { generator: "#1b7f3b", receiver: "#0b5cad", scan: "#b00020" };

  Promise.all([WT.api("GET", "/api/v1/alerts/" + id), WT.map.loadBase()]).then(function (res) {
    var alert = res[0].data, base = res[1];
    if (!res[0].ok) { node.textContent = WT.errorText(res[0]); return; }
    var points = alert.geometry.features;
    var counties = [alert.generator_county, alert.receiver_county, alert.evidence && alert.evidence.dropoff_county];
    points.forEach(function (f) {
      var hit = WT.map.countyAt(base, f.geometry.coordinates[0], f.geometry.coordinates[1]);
      if (hit) counties.push(hit.properties.adcode);
    });
    counties = counties.filter(function (c, i, a) { return c && a.indexOf(c) === i; });
    var cities = counties.map(function (c) { var f = WT.map.feature(base, c); return f && f.properties.parent_adcode; })
      .filter(function (c, i, a) { return c && a.indexOf(c) === i; });
    var map = WT.map.create(node);
    WT.map.drawBase(map, base, { counties: counties, cities: cities });
    var bounds = L.latLngBounds([]);
    counties.forEach(function (c) {
      var f = WT.map.feature(base, c);
      if (f) bounds.extend(L.geoJSON(f).getBounds());
    });
    var line = [];
    var sites = [];
    points.forEach(function (f) {
      var p = f.properties, ll = WT.map.latLng(f.geometry.coordinates);
      var color = COLORS[p.role] || "#444";
      bounds.extend(ll);
      if (p.role !== "scan") { sites.push([p, ll, color]); return; }
      var label = "#" + p.seq + " " + T("event_" + p.event) + " · " + WT.fmtDateTime(p.time);
      L.circleMarker(ll, { radius: 6, color: "#fff", weight: 1.5, fillColor: color, fillOpacity: 1 })
        .bindTooltip(WT.textTip(label)).addTo(map);
      line.push(ll);
    });
    /* Sites last, as rings around their spot: a scan made there stays visible inside the ring,
       and the site's name stays on the map at every zoom. */
    sites.forEach(function (s) {
      var p = s[0];
      var left = p.role === "generator"; /* generator's name to the left, receiver's to the right */
      var where = left ? "left" : "right";
      L.circleMarker(s[1], { radius: 13, color: s[2], weight: 3, fill: true, fillOpacity: 0, className: "site-ring site-" + p.role })
        .bindTooltip(WT.textTip(p.name), { permanent: true, direction: where, offset: [left ? -14 : 14, 0], className: "map-label site" })
        .addTo(map);
    });
    if (line.length > 1) L.polyline(line, { color: COLORS.scan, weight: 2, dashArray: "4 4" }).addTo(map);
    var track = alert.manifest_id && WT.track ? WT.track.load(map, alert.manifest_id, bounds) : Promise.resolve(0);
    return track.then(function (n) {
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { animate: false });
      else map.setView([30.75, 120.75], 9);
      node.setAttribute("data-track-features", String(n));
      node.setAttribute("data-ready", "true");
    });
  }, function () { node.textContent = T("map_failed"); });

  var errBox = document.getElementById("alert-error");
  var note = document.getElementById("alert-note");
  actions.querySelectorAll("button[data-alert-act]").forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-alert-act");
      var body = { note: note.value.trim() || null };
      if (act === "assign") body.assignee_id = actions.getAttribute("data-user-id");
      b.disabled = true;
      WT.show(errBox, "", null);
      WT.api("POST", "/api/v1/alerts/" + id + "/" + act, body).then(function (res) {
        b.disabled = false;
        if (!res.ok) { WT.show(errBox, WT.errorText(res), "notice error"); errBox.focus(); if (res.data && res.data.code === "note_required") note.focus(); return; }
        window.location.reload();
      }, function () { b.disabled = false; WT.show(errBox, T("offline"), "notice error"); });
    });
  });
})();
