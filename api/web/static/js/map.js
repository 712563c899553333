/* The base map shared by the regulator's maps: our own county and city polygons (GET
   /web/basemap.json) drawn with Leaflet, no tile server. Helpers to highlight the areas involved. */
(function () {
  "use strict";
  var basePromise = null;

  function loadBase() {
    if (!basePromise) {
      basePromise = fetch("/web/basemap.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("basemap " + r.status); return r.json(); });
    }
    return basePromise;
  }

  function create(node) {
    var map = L.map(node, { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
    map.setView([30.75, 120.75], 9); /* a view before any layer: permanent tooltips need one */
    /* Areas and their names sit below the overlay pane, so markers and flow lines stay on top. */
    map.createPane("areas").style.zIndex = 350;
    map.createPane("names").style.zIndex = 380;
    map.getPane("names").style.pointerEvents = "none";
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution(WT.t("map_attribution"));
    L.control.scale({ metric: true, imperial: false, maxWidth: 140 }).addTo(map); /* no street map: the scale tells distance */
    return map;
  }

  function name(p) { return WT.lang === "en" && p.name_en ? p.name_en : p.name; }

  /* Draw cities, then counties; `involved` = {counties: [adcode], cities: [adcode]} are emphasised. */
  function drawBase(map, fc, involved) {
    involved = involved || { counties: [], cities: [] };
    var isCounty = function (f) { return f.properties.level === "county"; };
    L.geoJSON({ type: "FeatureCollection", features: fc.features.filter(function (f) { return !isCounty(f); }) }, {
      style: function (f) {
        var hit = involved.cities.indexOf(f.properties.adcode) >= 0;
        return { color: hit ? "#7a1f5c" : "#8a96a3", weight: hit ? 2.5 : 1, dashArray: hit ? "6 4" : null, fillColor: "#eef1f4", fillOpacity: 1 };
      },
      interactive: false,
      pane: "areas"
    }).addTo(map);
    var counties = L.geoJSON({ type: "FeatureCollection", features: fc.features.filter(isCounty) }, {
      style: function (f) {
        var hit = involved.counties.indexOf(f.properties.adcode) >= 0;
        return { color: hit ? "#0b5cad" : "#9aa5b1", weight: hit ? 3 : 0.8, fillColor: hit ? "#d6e6f8" : "#f7f8fa", fillOpacity: hit ? 0.9 : 1 };
      },
      onEachFeature: function (f, layer) {
        var hit = involved.counties.indexOf(f.properties.adcode) >= 0;
        /* Every county keeps its name on the map, so a zoomed-in view still says where it is. */
        layer.bindTooltip(WT.textTip(name(f.properties)), { permanent: true, direction: "center", className: hit ? "map-label strong" : "map-label", pane: "names" });
      },
      pane: "areas"
    }).addTo(map);
    return counties;
  }

  function feature(fc, adcode) {
    for (var i = 0; i < fc.features.length; i++) if (fc.features[i].properties.adcode === adcode) return fc.features[i];
    return null;
  }

  function ringContains(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  /* The county feature covering a [lon, lat] point (simplified polygons: good enough for a map). */
  function countyAt(fc, lon, lat) {
    for (var i = 0; i < fc.features.length; i++) {
      var f = fc.features[i];
      if (f.properties.level !== "county") continue;
      var polys = f.geometry.type === "MultiPolygon" ? f.geometry.coordinates : [f.geometry.coordinates];
      for (var k = 0; k < polys.length; k++) {
        if (ringContains(polys[k][0], lon, lat) && !polys[k].slice(1).some(function (h) { return ringContains(h, lon, lat); })) return f;
      }
    }
    return null;
  }

  function latLng(lonlat) { return [lonlat[1], lonlat[0]]; }

  WT.map = { loadBase: loadBase, create: create, drawBase: drawBase, feature: feature, countyAt: countyAt, latLng: latLng, name: name };
})();
