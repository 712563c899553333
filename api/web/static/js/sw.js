/* The driver's pages offline: the scanner and the jobs page, with their scripts and styles, are
   kept on the phone so the scanner opens without network (its scans and track points wait in
   localStorage and go when the network is back). Pages: network first, the kept copy when
   offline. Assets: the kept copy (their URLs carry a version, so a new release fetches anew). */
"use strict";
var CACHE = "wt-driver-v1";
var PAGES = ["/scan", "/d"];

function keepPage(cache, path) {
  return fetch(path, { credentials: "same-origin" }).then(function (res) {
    if (!res.ok || res.redirected) return null;  // logged out: nothing to keep
    var copy = res.clone();
    return res.text().then(function (html) {
      var assets = [];
      html.replace(/(?:src|href)="(\/web-static\/[^"]+)"/g, function (_, url) { assets.push(url.replace(/&amp;/g, "&")); return _; });
      return Promise.all([cache.put(path, copy), cache.addAll(assets)]);
    });
  });
}

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(PAGES.map(function (p) { return keepPage(cache, p).catch(function () { return null; }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && PAGES.indexOf(url.pathname) >= 0) {
    ev.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      return res;
    }, function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/web-static/") === 0) {
    ev.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
  }
});
