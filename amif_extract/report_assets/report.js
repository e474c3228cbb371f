(function () {
  "use strict";
  // Filters live in the address's #fragment (severity=error,warning&table=amif_projects&acknowledged=0)
  // so a steward can share or bookmark a filtered view; everything runs offline from this file.
  var form = document.getElementById("filters");
  var severityBoxes = Array.prototype.slice.call(form.querySelectorAll('input[name="severity"]'));
  var tableSelect = document.getElementById("filter-table");
  var acknowledgedBox = document.getElementById("filter-acknowledged");
  var counter = document.getElementById("filter-count");
  var none = document.getElementById("filter-none");
  var unknownTable = "";
  var findings = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.code-group"));
  function readFragment() {
    var params = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at <= 0) { return; }
      try {
        params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1));
      } catch (error) {
        // A malformed %-escape (a hand-edited or cut address): that part is ignored, the rest applies.
      }
    });
    if (params.severity !== undefined) {
      var wanted = params.severity.split(",");
      severityBoxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    }
    unknownTable = "";
    if (params.table !== undefined) {
      var known = Array.prototype.some.call(tableSelect.options, function (option) {
        return option.value === params.table;
      });
      tableSelect.value = known ? params.table : "*";
      if (!known) { unknownTable = params.table; }
    }
    if (params.acknowledged !== undefined) { acknowledgedBox.checked = params.acknowledged !== "0"; }
  }
  function writeFragment() {
    var severities = severityBoxes.filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    var fragment = "severity=" + severities.join(",") + "&table=" + encodeURIComponent(tableSelect.value)
      + "&acknowledged=" + (acknowledgedBox.checked ? "1" : "0");
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + fragment);
    }
  }
  function applyFilters() {
    var severities = {};
    severityBoxes.forEach(function (box) { severities[box.value] = box.checked; });
    var table = tableSelect.value;
    var shown = 0;
    findings.forEach(function (item) {
      var visible = severities[item.dataset.severity] === true
        && (table === "*" || item.dataset.table === table)
        && (acknowledgedBox.checked || item.dataset.acknowledged !== "yes");
      item.hidden = !visible;
      if (visible) { shown += 1; }
    });
    groups.forEach(function (group) {
      var count = group.querySelectorAll("li.finding:not([hidden])").length;
      group.hidden = count === 0;
      group.querySelector(".shown").textContent = String(count);
    });
    counter.textContent = "Showing " + shown + " of " + findings.length + " findings";
    none.textContent = emptyNote(table, shown);
    none.hidden = none.textContent === "";
    document.body.setAttribute("data-filter", "ready");
    document.body.setAttribute("data-shown", String(shown));
  }
  function emptyNote(table, shown) {
    // Say why the list is short rather than leave a blank page or ignore the address.
    if (unknownTable !== "") {
      return "This build has no table \u201c" + unknownTable + "\u201d: showing all tables.";
    }
    if (shown > 0) { return ""; }
    var option = tableSelect.options[tableSelect.selectedIndex];
    if (table !== "*" && option && option.getAttribute("data-findings") === "0") {
      return "The table \u201c" + table + "\u201d has no findings.";
    }
    return "No findings match these filters.";
  }
  form.addEventListener("change", function () { unknownTable = ""; applyFilters(); writeFragment(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("hashchange", function () { readFragment(); applyFilters(); });
  form.hidden = false;
  readFragment();
  applyFilters();
})();
