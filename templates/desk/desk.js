// The desk's only script: when a draft's report changes (Server-Sent Events from /events), the list of drafts
// is fetched again with the page's filters and replaced, without a reload. The page works without it.
(function () {
  "use strict";
  var rows = document.getElementById("draft-rows");
  var table = document.getElementById("drafts");
  if (!rows || !table || !window.EventSource) { return; }
  var query = table.getAttribute("data-query") || "";
  var url = "/?fragment=rows" + (query ? "&" + query : "");
  var pending = null;
  function refresh() {
    pending = null;
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) { rows.innerHTML = html; }).catch(function () {});
  }
  var events = new EventSource("/events");
  events.addEventListener("draft", function () {
    // A burst of changes (a folder copied in) refreshes once.
    if (pending === null) { pending = setTimeout(refresh, 150); }
  });
  events.addEventListener("open", function () {
    var status = document.getElementById("live-status");
    if (status) { status.hidden = false; }
  });
})();
