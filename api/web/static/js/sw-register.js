/* Keep the driver's pages on the phone (see /sw.js), so the scanner opens without network. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    document.documentElement.setAttribute("data-offline-ready", "pending");
    return navigator.serviceWorker.ready;
  }).then(function () {
    document.documentElement.setAttribute("data-offline-ready", "true");
  }, function () { /* no offline copy: the pages still work online */ });
})();
