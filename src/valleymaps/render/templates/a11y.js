/* valleymaps accessibility, shared by every map page (render/page_a11y.py).
 *
 * - Keyboard: every map feature that shows a tooltip or a popup gets tabindex=0, role=button
 *   and a name (its tooltip text, renewed by enhanceAll() when the page shows another measure); focus shows the tooltip (what hovering does), Enter or Space
 *   does what a click does (opens the popup, selects an area) and shows the tooltip; Escape
 *   closes them.
 * - A "Data table" button on each map: a sortable <table> (caption, th scope) with the values
 *   the map shows. A page registers its own table with valleymapsA11y.setTable(map, build);
 *   without one, the table lists every feature and its tooltip text.
 * - Skip links before each map (shown when focused): to its features, past the controls, and to
 *   its data table, so that a page of hundreds of tracts needs two key presses, not hundreds.
 * All text from data is set with textContent (never innerHTML). */
(function (global) {
  "use strict";

  /* The page's words, in its language (passed to install()); this script has none. */
  var S = {};

  function fillIn(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  var maps = [];
  var tables = [];
  var nextId = 0;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  var BLOCK = /^(DIV|P|LI|TR|TD|TH|H[1-6]|DT|DD|TABLE|TBODY|THEAD|UL|OL|DL|SECTION)$/;

  /* The readable text of a node: block children separated by "; ", an SVG chart by its label. */
  function readable(node) {
    if (!node) { return ""; }
    if (node.nodeType === 3) { return node.nodeValue; }
    if (node.nodeType !== 1) { return ""; }
    if (node.getAttribute("aria-label")) { return node.getAttribute("aria-label"); }
    if (node.getAttribute("aria-hidden") === "true") { return ""; }
    var parts = [], inline = "";
    Array.prototype.forEach.call(node.childNodes, function (child) {
      var t = readable(child);
      if (child.nodeType === 1 && (BLOCK.test(child.tagName) || child.tagName.toLowerCase() === "svg")) {
        if (inline.trim()) { parts.push(inline.trim()); }
        inline = "";
        if (t.trim()) { parts.push(t.trim()); }
      } else {
        inline += t;
      }
    });
    if (inline.trim()) { parts.push(inline.trim()); }
    return parts.join("; ").replace(/\s+/g, " ");
  }

  /* Text of a tooltip's or popup's content: a node, a function giving one, or an HTML string
   * (parsed inertly: DOMParser documents run no script and load no image). */
  function contentText(content, layer) {
    if (typeof content === "function") { content = content(layer); }
    if (content === null || content === undefined) { return ""; }
    if (typeof content === "string" || typeof content === "number") {
      var doc = new DOMParser().parseFromString(String(content), "text/html");
      return readable(doc.body);
    }
    return content.nodeType ? readable(content) : String(content);
  }

  function describe(layer) {
    var tip = layer.getTooltip ? layer.getTooltip() : null;
    var pop = layer.getPopup ? layer.getPopup() : null;
    var text = "";
    if (tip && !tip.options.permanent) { text = contentText(tip._content, layer); }
    if (!text && pop) { text = contentText(pop._content, layer); }
    if (!text && tip) { text = contentText(tip._content, layer); }
    return text;
  }

  function activate(layer, e) {
    var latlng = layer.getCenter ? layer.getCenter() : (layer.getLatLng ? layer.getLatLng() : null);
    layer.fire("click", { latlng: latlng, originalEvent: e }, true);
    var tip = layer.getTooltip ? layer.getTooltip() : null;
    if (tip && !(layer.getPopup && layer.getPopup()) && !layer.isTooltipOpen()) { layer.openTooltip(); }
  }

  /* Make one map feature reachable and readable with the keyboard. */
  function enhance(layer) {
    if (layer && layer.getChildCount && layer._icon && !layer._icon.vmA11y) { enhanceCluster(layer); return; }
    if (!layer || !layer.getTooltip || layer.options.interactive === false) { return; }
    if (!layer.getTooltip() && !(layer.getPopup && layer.getPopup())) { return; }
    var node = layer._path || layer._icon;
    if (!node) { return; }
    if (node.vmA11y) {  // known: its name again (the page's words and values may have changed)
      node.setAttribute("aria-label", describe(layer));
      return;
    }
    node.vmA11y = true;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", describe(layer));
    node.classList.add("vm-focusable");
    var isPath = !!layer._path;
    /* focus shows the tooltip as hovering does (the focus ring is the highlight; the page's own
     * mouseover handlers are not run: some bring the shape to the front, which moves it in the
     * document and would lose the focus) */
    L.DomEvent.on(node, "focus", function () {
      node.setAttribute("aria-label", describe(layer));
      var tip = layer.getTooltip();
      if (isPath && tip && !tip.options.permanent) { layer.openTooltip(); }
    });
    L.DomEvent.on(node, "blur", function () {
      var tip = layer.getTooltip();
      if (isPath && tip && !tip.options.permanent) { layer.closeTooltip(); }
    });
    /* a popup opened from the keyboard takes the focus (a screen reader reads it); closing it
     * (Escape, its close button) gives the focus back to the feature */
    layer.on("popupopen", function (e) {
      if (!node.vmKeyOpened) { return; }
      node.vmKeyOpened = false;
      var box = e.popup.getElement();
      var content = box && box.querySelector(".leaflet-popup-content");
      if (!content) { return; }
      content.setAttribute("tabindex", "-1");
      if (!box.vmEscape) {
        box.vmEscape = true;
        L.DomEvent.on(box, "keydown", function (ev) {
          if (ev.key === "Escape") { L.DomEvent.stopPropagation(ev); e.popup.close(); }
        });
      }
      content.focus({ preventScroll: true });
      layer.once("popupclose", function () {
        if (node.isConnected) { node.focus({ preventScroll: true }); }
      });
    });
    L.DomEvent.on(node, "keydown", function (e) {
      var key = e.key;
      if (key === "Enter" || key === " " || key === "Spacebar") { node.vmKeyOpened = true; }
      if (key === "Enter" && !isPath) { return; }  // Leaflet opens a marker's popup on Enter
      if (key === "Enter" || key === " " || key === "Spacebar") {
        L.DomEvent.preventDefault(e);
        L.DomEvent.stopPropagation(e);
        activate(layer, e);
      } else if (key === "Escape") {
        if (layer.closePopup) { layer.closePopup(); }
        if (layer.getTooltip() && !layer.getTooltip().options.permanent) { layer.closeTooltip(); }
      }
    });
  }

  /* A group of nearby markers (Leaflet.markercluster): named by its count; Enter zooms in. */
  function enhanceCluster(cluster) {
    var node = cluster._icon;
    node.vmA11y = true;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", fillIn(S.group, { n: cluster.getChildCount() }));
    node.classList.add("vm-focusable");
    L.DomEvent.on(node, "keydown", function (e) {
      if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
        L.DomEvent.preventDefault(e);
        cluster.fire("click", { latlng: cluster.getLatLng(), originalEvent: e }, true);
      }
    });
  }

  function enhanceAll(map) {
    map.eachLayer(enhance);
  }

  /* The features' names again once the page has settled (a year slider being dragged restyles the
   * map many times a second; hundreds of tracts are named once, after it stops). */
  function refreshNames(map) {
    global.clearTimeout(map.vmNamesTimer);
    map.vmNamesTimer = global.setTimeout(function () { enhanceAll(map); }, 250);
  }

  /* ------------------------------------------------------------------------- data tables */

  function cellText(cell) {
    if (cell === null || cell === undefined) { return "\u2013"; }
    return typeof cell === "object" ? String(cell.text) : String(cell);
  }

  function cellValue(cell) {
    if (cell !== null && typeof cell === "object") {
      return cell.value === undefined ? cell.text : cell.value;
    }
    return cell;
  }

  function compare(a, b, numeric) {
    var nullA = a === null || a === undefined || (numeric && !isFinite(a));
    var nullB = b === null || b === undefined || (numeric && !isFinite(b));
    if (nullA || nullB) { return nullA === nullB ? 0 : (nullA ? 1 : -1); }
    if (numeric) { return a - b; }
    return String(a).localeCompare(String(b));
  }

  /* A sortable table: spec = {caption, columns: [{label, numeric}], rows: [[cell, ...]]};
   * a cell is text or {text, value}; the first column heads its row (th scope=row). */
  function buildTable(spec) {
    var table = el("table", "vm-data-table");
    table.appendChild(el("caption", null, spec.caption));
    var head = el("thead");
    var hr = el("tr");
    var body = el("tbody");
    var rows = spec.rows.slice();
    var sorted = { col: -1, dir: 1 };

    function fill() {
      body.textContent = "";
      rows.forEach(function (r) {
        var tr = el("tr");
        spec.columns.forEach(function (c, k) {
          var cell = el(k === 0 ? "th" : "td", c.numeric ? "vm-num" : null, cellText(r[k]));
          if (k === 0) { cell.setAttribute("scope", "row"); }
          tr.appendChild(cell);
        });
        body.appendChild(tr);
      });
    }

    spec.columns.forEach(function (c, k) {
      var th = el("th", c.numeric ? "vm-num" : null);
      th.setAttribute("scope", "col");
      th.setAttribute("aria-sort", "none");
      var button = el("button", "vm-sort", c.label);
      button.type = "button";
      button.addEventListener("click", function () {
        var dir = sorted.col === k ? -sorted.dir : (c.numeric ? -1 : 1);
        sorted = { col: k, dir: dir };
        rows.sort(function (a, b) { return dir * compare(cellValue(a[k]), cellValue(b[k]), c.numeric); });
        Array.prototype.forEach.call(hr.children, function (h, j) {
          h.setAttribute("aria-sort", j === k ? (dir > 0 ? "ascending" : "descending") : "none");
        });
        fill();
      });
      th.appendChild(button);
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    table.appendChild(body);
    fill();
    return table;
  }

  function entryOf(map) {
    for (var k = 0; k < tables.length; k += 1) {
      if (tables[k].map === map) { return tables[k]; }
    }
    return null;
  }

  /* The fallback table: each keyboard-reachable feature and its tooltip text. */
  function featureTable(map) {
    var rows = [];
    map.eachLayer(function (layer) {
      var node = layer._path || layer._icon;
      if (!node || !node.vmA11y) { return; }
      var parts = describe(layer).split("; ");
      rows.push([parts[0], parts.slice(1).join("; ")]);
    });
    return { caption: S.features, columns: [{ label: S.feature }, { label: S.details }], rows: rows };
  }

  function addTableControl(map) {
    var entry = { map: map, build: null, title: "" };
    tables.push(entry);
    var id = "vm-table-" + (nextId += 1);
    var control = L.control({ position: "topleft" });
    var panel = el("section", "vm-table-panel");
    panel.id = id;
    panel.hidden = true;
    panel.setAttribute("tabindex", "-1");
    panel.setAttribute("aria-label", S.dataTable);
    var button = el("button", "vm-table-toggle", S.dataTable);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id);

    function close() {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
    function open() {
      var specs = [].concat(entry.build ? entry.build() : featureTable(map));
      panel.textContent = "";
      var bar = el("div", "vm-table-bar");
      bar.appendChild(el("h2", "vm-table-title", fillIn(S.tableTitle, { title: document.title || S.map })));
      var shut = el("button", "vm-table-close", S.closeTable);
      shut.type = "button";
      shut.addEventListener("click", close);
      bar.appendChild(shut);
      panel.appendChild(bar);
      var scroller = el("div", "vm-table-scroll");
      scroller.setAttribute("tabindex", "0");
      scroller.setAttribute("role", "group");
      scroller.setAttribute("aria-label", S.tables);
      specs.forEach(function (spec) {
        if (spec.note) { scroller.appendChild(el("p", "vm-table-note", spec.note)); }
        scroller.appendChild(buildTable(spec));
      });
      panel.appendChild(scroller);
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      panel.focus();
    }
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(); }
    });
    button.addEventListener("click", function () {
      if (panel.hidden) { open(); } else { close(); }
    });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-table-control leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      div.appendChild(button);
      return div;
    };
    control.addTo(map);
    var container = map.getContainer();
    container.parentNode.insertBefore(panel, container.nextSibling);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    entry.open = open;
    addSkipLinks(map, open);
  }

  /* Skip links before the map: "Skip to the map's features" (past the controls) and "Open the data
   * table"; visually hidden until they have the focus. */
  function addSkipLinks(map, openTable) {
    var container = map.getContainer();
    if (!container.id) { container.id = "vm-map-" + (nextId += 1); }
    var nav = el("nav", "vm-skip-links");
    nav.setAttribute("aria-label", S.skipLinks);
    var toFeatures = el("a", "vm-skip", S.skipToFeatures);
    toFeatures.href = "#" + container.id;
    toFeatures.addEventListener("click", function (e) {
      var first = container.querySelector(".vm-focusable");
      e.preventDefault();
      (first || container).focus({ preventScroll: true });
    });
    var toTable = el("button", "vm-skip", S.skipToTable);
    toTable.type = "button";
    toTable.addEventListener("click", function () { openTable(); });
    nav.appendChild(toFeatures);
    nav.appendChild(toTable);
    container.parentNode.insertBefore(nav, container);
  }

  /* A page's own table: build() returns {caption, columns, rows[, note]} at the moment the
   * table opens (so it shows the metric and year the map shows). */
  function setTable(map, build) {
    var entry = entryOf(map);
    if (entry) { entry.build = build; }
    enhanceAll(map);  // the page is set up: its features' names in its words (a screen reader reads them)
  }

  /* ----------------------------------------------------------------------------- install */

  function labelMap(map) {
    var c = map.getContainer();
    if (!c.getAttribute("aria-label")) {
      c.setAttribute("aria-label", fillIn(S.mapLabel, { title: document.title || S.map }));
    }
    c.setAttribute("role", "region");
  }

  function install(strings) {
    S = strings || S;
    if (!global.L || L.Map.vmA11y) { return; }
    L.Map.vmA11y = true;
    L.Map.addInitHook(function () {
      var map = this;
      maps.push(map);
      /* the controls (panel, legend, data table) come first in the Tab order, before what may be
       * hundreds of map features; they are positioned absolutely, so nothing moves on screen */
      var container = map.getContainer();
      if (map._controlContainer && map._controlContainer.parentNode === container) {
        container.insertBefore(map._controlContainer, container.firstChild);
      }
      map.on("layeradd", function (e) { enhance(e.layer); });
      labelMap(map);
      addTableControl(map);
    });
    var viewport = document.querySelector("meta[name=viewport]");
    if (viewport) { viewport.setAttribute("content", "width=device-width, initial-scale=1.0"); }
  }

  global.addEventListener("load", function () {
    maps.forEach(enhanceAll);
    var viewport = document.querySelector("meta[name=viewport]");
    if (viewport) { viewport.setAttribute("content", "width=device-width, initial-scale=1.0"); }
  });

  global.valleymapsA11y = {
    install: install,
    enhance: enhance,
    enhanceAll: enhanceAll,
    refreshNames: refreshNames,
    setTable: setTable,
    buildTable: buildTable,
    readable: readable
  };
})(window);
