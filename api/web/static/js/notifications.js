/* Notifications: the bell in the top bar shows the unread count on every page (asked once when
   the page opens, then every minute while it is in view); the notifications page marks them read
   — all at once, or one when it is opened. */
(function () {
  "use strict";
  var T = WT.t;
  var bell = document.getElementById("wt-bell");
  if (!bell) return;
  var badge = document.getElementById("wt-bell-count");
  var EVERY_MS = 60000;

  function showCount(n) {
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    bell.classList.toggle("has-unread", n > 0);
    bell.setAttribute("aria-label", n > 0 ? T("bell_unread", { n: n }) : T("bell_none"));
  }

  function refresh() {
    if (document.visibilityState === "hidden") return;
    WT.api("GET", "/api/v1/notifications?limit=0", null, { stayOnAuth: true }).then(function (res) {
      if (res.ok && res.data) showCount(res.data.unread);
    }, function () { /* offline: the bell keeps what it showed */ });
  }

  var page = document.getElementById("nt-page");
  if (page) showCount(Number(page.getAttribute("data-unread")) || 0);
  else refresh();
  window.setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") refresh(); });
  if (!page) return;

  var err = document.getElementById("nt-error");
  var summary = document.getElementById("nt-summary");
  var all = document.getElementById("nt-read-all");

  function read(item) {
    item.classList.remove("unread");
    var flag = item.querySelector(".nt-flag");
    if (flag) flag.remove();
  }

  function shown(n) {
    summary.textContent = n > 0 ? T("unread_count", { n: n }) : T("all_read");
    showCount(n);
  }

  if (all) {
    all.addEventListener("click", function () {
      all.disabled = true;
      WT.api("POST", "/api/v1/notifications/read", { all: true }).then(function (res) {
        all.disabled = false;
        if (!res.ok) { WT.show(err, WT.errorText(res), "notice error"); err.focus(); return; }
        document.querySelectorAll(".nt-item.unread").forEach(read);
        shown(res.data.unread);
        if (res.data.unread === 0) all.hidden = true;
        summary.focus();
      }, function () { all.disabled = false; WT.show(err, T("offline"), "notice error"); err.focus(); });
    });
  }

  /* Opening an unread one marks it read first, then follows the link (whatever the answer). */
  document.querySelectorAll(".nt-item.unread .nt-link").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      var item = link.closest(".nt-item");
      if (!item.classList.contains("unread") || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      var go = function () { window.location.assign(link.href); };
      WT.api("POST", "/api/v1/notifications/read", { ids: [item.getAttribute("data-id")] }).then(go, go);
    });
  });
})();
