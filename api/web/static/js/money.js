/* Contracts, payments, invoices and the bank statement import: every change through the API. */
(function () {
  "use strict";
  var T = WT.t;
  var err = document.getElementById("money-error");
  var done = document.getElementById("money-done");
  var MAX_FILE = 700 * 1024;
  function fail(text) { WT.show(done, ""); WT.show(err, text, "notice error"); err.focus(); }
  function post(path, body) { return WT.api("POST", path, body, { idempotencyKey: WT.uuid() }); }
  function busy(button, on) { if (button) button.disabled = on; }
  function needed(form) {
    var bad = form.querySelector("input:invalid, select:invalid, textarea:invalid");
    if (!bad) return false;
    bad.focus();
    fail(T("need_field", { field: ((form.querySelector("label[for='" + bad.id + "']") || {}).textContent || bad.name).trim() }));
    return true;
  }
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { var s = String(r.result); resolve(s.slice(s.indexOf(",") + 1)); };
      r.onerror = reject;
      r.readAsDataURL(file);
    });
  }
  function list(text) { return text.split(/[\s,，、;；]+/).filter(Boolean); }
  function offline(button) { busy(button, false); fail(T("offline")); }

  var contract = document.getElementById("contract-form");
  if (contract) {
    var kind = contract.kind, party = contract.counterparty_org_id;
    var filterParties = function () {
      var want = kind.value === "disposal" ? "receiver" : "carrier", first = null;
      Array.prototype.forEach.call(party.options, function (o) {
        o.hidden = o.disabled = o.getAttribute("data-role") !== want;
        if (!o.hidden && !first) first = o;
      });
      if (party.selectedOptions[0] && party.selectedOptions[0].hidden && first) party.value = first.value;
    };
    kind.addEventListener("change", filterParties);
    filterParties();
    contract.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (needed(contract)) return;
      var file = contract.file.files[0], button = contract.querySelector("button[type=submit]");
      if (!/^(application\/pdf|image\/jpeg|image\/png)$/.test(file.type)) { fail(T("money_file_type")); return; }
      if (file.size > MAX_FILE) { fail(T("money_file_size")); return; }
      var codes = list(contract.codes.value);
      var body = {
        kind: kind.value, counterparty_org_id: party.value, number: contract.number.value.trim(),
        waste_codes: codes.filter(function (c) { return !/^HW\d\d$/i.test(c); }),
        waste_categories: codes.filter(function (c) { return /^HW\d\d$/i.test(c); }).map(function (c) { return c.toUpperCase(); }),
        transport_terms: contract.transport_terms.value, valid_from: contract.valid_from.value,
        valid_to: contract.valid_to.value, signed_on: contract.signed_on.value
      };
      if (contract.price_per_tonne.value) body.price_per_tonne = contract.price_per_tonne.value;
      busy(button, true);
      readFile(file).then(function (b64) {
        return post("/api/v1/contracts", body).then(function (res) {
          if (!res.ok) { busy(button, false); fail(WT.errorText(res)); return; }
          return post("/api/v1/contracts/" + res.data.id + "/files", { filename: file.name, content_base64: b64 }).then(function (r2) {
            if (!r2.ok) { busy(button, false); fail(T("money_file_failed") + " " + WT.errorText(r2)); return; }
            window.location.reload();
          });
        });
      }).catch(function () { offline(button); });
    });
  }

  document.querySelectorAll(".terminate-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (needed(f)) return;
      var button = f.querySelector("button");
      busy(button, true);
      post("/api/v1/contracts/" + f.getAttribute("data-id") + "/termination", { terminated_on: f.terminated_on.value, reason: f.reason.value })
        .then(function (res) { if (!res.ok) { busy(button, false); fail(WT.errorText(res)); return; } window.location.reload(); },
          function () { offline(button); });
    });
  });

  var pay = document.getElementById("payment-form");
  if (pay) {
    var others = pay.querySelectorAll(".payee-other");
    var showOthers = function () { others.forEach(function (el) { el.hidden = !!pay.payee.value; }); };
    if (pay.payee) { pay.payee.addEventListener("change", showOthers); showOthers(); }
    pay.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (needed(pay)) return;
      var button = pay.querySelector("button[type=submit]");
      var body = {
        amount: pay.amount.value, paid_on: pay.paid_on.value, purpose: pay.purpose.value,
        invoice_number: pay.invoice_number.value.trim(), bank_reference: pay.bank_reference.value.trim(),
        manifest_ids: pay.manifest_id.value ? [pay.manifest_id.value] : []
      };
      if (pay.payee) {
        body.payee_uscc = pay.payee.value || pay.payee_uscc.value.trim() || null;
        body.payee_name = pay.payee.value ? pay.payee.selectedOptions[0].textContent.replace(/（.*$/, "") : pay.payee_name.value.trim();
        if (!body.payee_uscc && !body.payee_name) { pay.payee_name.focus(); fail(T("money_payee_needed")); return; }
      } else {
        body.payer_org_id = pay.payer_org_id.value;
        body.payee_uscc = pay.own_uscc.value;
      }
      busy(button, true);
      post("/api/v1/payments", body).then(function (res) {
        if (!res.ok) { busy(button, false); fail(WT.errorText(res)); return; }
        window.location.reload();
      }, function () { offline(button); });
    });
  }

  var inv = document.getElementById("invoice-form");
  if (inv) {
    inv.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (needed(inv)) return;
      var button = inv.querySelector("button[type=submit]");
      busy(button, true);
      post("/api/v1/invoices", {
        buyer_org_id: inv.buyer_org_id.value, number: inv.number.value.trim(), issued_on: inv.issued_on.value,
        amount: inv.amount.value, manifest_ids: inv.manifest_id.value ? [inv.manifest_id.value] : []
      }).then(function (res) {
        if (!res.ok) { busy(button, false); fail(WT.errorText(res)); return; }
        window.location.reload();
      }, function () { offline(button); });
    });
  }

  var csv = document.getElementById("csv-form");
  if (csv) {
    var result = document.getElementById("csv-result"), summary = document.getElementById("csv-summary");
    var errors = document.getElementById("csv-errors"), tbody = document.querySelector("#csv-rows tbody");
    var importButton = document.getElementById("csv-import"), content = null, hasErrors = false;
    var rowError = function (e) {
      var col = e.field ? T("money_col_" + e.field) : "";
      if (col.indexOf("money_col_") === 0) col = e.field;
      var what = col ? T("money_bad_field", { field: col }) : T("money_bad_row");
      if (e.code === "invalid_uscc") what = T("money_bad_uscc");
      else if (e.code === "amount_out_of_range") what = T("money_bad_amount");
      else if (e.code === "manifest_not_payable") what = T("money_bad_manifest");
      return T("money_line", { line: e.row }) + what;
    };
    var showErrors = function (list) {
      errors.textContent = "";
      (list || []).forEach(function (e) { errors.appendChild(WT.el("li", { class: "notice error", text: rowError(e) })); });
    };
    var refresh = function () { importButton.disabled = !content || (hasErrors && !csv.valid_only.checked); };
    csv.valid_only.addEventListener("change", refresh);
    csv.file.addEventListener("change", function () { content = null; hasErrors = false; result.hidden = true; refresh(); });
    csv.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (needed(csv)) return;
      var button = document.getElementById("csv-preview");
      busy(button, true);
      readFile(csv.file.files[0]).then(function (b64) {
        return post("/api/v1/payments/bank-csv", { content_base64: b64, dry_run: true }).then(function (res) {
          busy(button, false);
          if (!res.ok) { content = null; refresh(); fail(WT.errorText(res)); return; }
          WT.show(err, "");
          content = b64;
          hasErrors = res.data.errors.length > 0;
          tbody.textContent = "";
          res.data.rows.forEach(function (r) {
            tbody.appendChild(WT.el("tr", {}, [WT.el("td", { text: String(r.row) }), WT.el("td", { text: r.paid_on }),
              WT.el("td", { class: "num", text: "¥" + r.amount }), WT.el("td", { text: r.payee_name }),
              WT.el("td", { text: T("money_purpose_" + r.purpose) }), WT.el("td", { class: "mono", text: (r.manifest_numbers || []).join(", ") })]));
          });
          summary.textContent = T(hasErrors ? "money_preview_errors" : "money_preview_ok", { n: res.data.rows.length, bad: res.data.errors.length });
          showErrors(res.data.errors);
          result.hidden = false;
          refresh();
          (hasErrors ? errors : summary).scrollIntoView({ block: "nearest" });
        });
      }).catch(function () { offline(button); });
    });
    importButton.addEventListener("click", function () {
      busy(importButton, true);
      post("/api/v1/payments/bank-csv", { content_base64: content, valid_only: csv.valid_only.checked }).then(function (res) {
        if (!res.ok) {
          busy(importButton, false);
          fail(WT.errorText(res));
          showErrors(res.data && res.data.details && res.data.details.rows);
          return;
        }
        window.location.reload();
      }, function () { offline(importButton); });
    });
  }
})();
