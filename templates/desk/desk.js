// The desk's only script: when a draft's account changes (Server-Sent Events from /events), the list of drafts and
// its counts are fetched again with the page's filters and replaced, and a draft's own page reloads when its
// report changes. Every page works without it.
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var rows = document.getElementById("draft-rows");
  var table = document.getElementById("drafts");
  var draft = document.getElementById("draft-status");
  if (!(rows && table) && !draft) { return; }
  var pending = null;

  function refreshList() {
    pending = null;
    var query = table.getAttribute("data-query") || "";
    fetch("/?fragment=rows" + (query ? "&" + query : ""), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) { rows.innerHTML = html; }).catch(function () {});
    // The counts come from the same account as the rows.
    fetch("/api/drafts", { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (account) {
      var counts = {};
      account.drafts.forEach(function (entry) { counts[entry.status] = (counts[entry.status] || 0) + 1; });
      var total = document.getElementById("total-count");
      if (total) { total.textContent = String(account.drafts.length); }
      Array.prototype.forEach.call(document.querySelectorAll("option[data-status]"), function (option) {
        var status = option.getAttribute("data-status");
        option.textContent = status + " (" + (counts[status] || 0) + ")";
      });
    }).catch(function () {});
  }

  var events = new EventSource("/events");
  events.addEventListener("draft", function (event) {
    var path = "";
    try { path = JSON.parse(event.data); } catch (e) { path = ""; }
    if (draft) {
      // "*" means the account as a whole changed (an issue was published).
      if (path === draft.getAttribute("data-path") || path === "*") { window.location.reload(); }
      return;
    }
    // A burst of changes (a folder copied in) refreshes once.
    if (pending === null) { pending = setTimeout(refreshList, 150); }
  });
  events.addEventListener("open", function () {
    var status = document.getElementById("live-status");
    if (status) { status.hidden = false; }
  });
})();
