/* valleymaps infrastructure projects: a layer per category, symbols sized by cost,
 * popups with the project's fields, a filter by status and year.
 * All text from data files is set with textContent (never innerHTML); the only markup built
 * from strings is the symbols' SVG, made from this file's constants and numbers. */
(function (global) {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  /* The page's words, in its language: set by load() from the strings the page's data carry
   * (data.strings); this script holds none of its own. */
  var S = {};

  /* A message with {name} fields filled in. */
  function fillIn(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  function num(n) { return n.toLocaleString(S.locale || undefined); }
  /* Symbol shapes on a 20 x 20 box: element name and attributes (built with the DOM, never parsed). */
  var SHAPES = {
    circle: ["circle", { cx: 10, cy: 10, r: 8 }],
    square: ["rect", { x: 2.5, y: 2.5, width: 15, height: 15 }],
    diamond: ["polygon", { points: "10,0.8 19.2,10 10,19.2 0.8,10" }],
    triangle: ["polygon", { points: "10,1.5 19,18 1,18" }],
    hexagon: ["polygon", { points: "5,1.8 15,1.8 19.5,10 15,18.2 5,18.2 0.5,10" }],
    star: ["polygon", { points: "10,0.8 12.7,7 19.3,7.4 14.2,11.7 15.8,18.6 10,14.9 4.2,18.6 5.8,11.7 0.7,7.4 7.3,7" }],
    cross: ["polygon", { points: "6.5,1 13.5,1 13.5,6.5 19,6.5 19,13.5 13.5,13.5 13.5,19 6.5,19 6.5,13.5 1,13.5 1,6.5 6.5,6.5" }]
  };

  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }

  /* A DivIcon that clones a prepared SVG element: much cheaper than parsing HTML for every marker. */
  var SymbolIcon = null;  // made on first use: Leaflet loads after this file
  function symbolIconClass() {
    if (!SymbolIcon) {
      SymbolIcon = L.DivIcon.extend({
        createIcon: function (oldIcon) {
          var div = (oldIcon && oldIcon.tagName === "DIV") ? oldIcon : document.createElement("div");
          div.textContent = "";
          div.appendChild(this.options.template.cloneNode(true));
          this._setIconStyles(div, "icon");
          return div;
        }
      });
    }
    return SymbolIcon;
  }

  function el(tag, className, content) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (content !== undefined && content !== null) { e.textContent = String(content); }
    return e;
  }

  function formatUsd(v) {
    if (v === null || v === undefined || !isFinite(v)) { return S.costNotKnown; }
    var a = Math.abs(v);
    if (S.compactUsd && a >= 1e4) {  // the page language's short forms (es-US: $1.2 M, $2500 M)
      return new Intl.NumberFormat(S.locale, {
        style: "currency", currency: "USD", notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1
      }).format(v);
    }
    function trim(x) {
      var s = Math.abs(x).toFixed(Math.abs(x) < 10 ? 2 : (Math.abs(x) < 100 ? 1 : 0));
      if (s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
      return (x < 0 ? "-" : "") + s;
    }
    if (a >= 1e9) { return "$" + trim(v / 1e9) + "B"; }
    if (a >= 1e6) { return "$" + trim(v / 1e6) + "M"; }
    if (a >= 1e4) { return "$" + trim(v / 1e3) + "K"; }
    return "$" + num(Math.round(v));
  }

  function symbolSvg(shape, color, px, hollow) {
    var svg = svgEl("svg", { width: px, height: px, viewBox: "-1 -1 22 22", style: "display:block" });
    var g = svgEl("g", {
      fill: hollow ? "#ffffff" : color,
      stroke: hollow ? color : "#ffffff",
      "stroke-width": hollow ? 2.6 : 1.4,
      "stroke-linejoin": "round"
    });
    var spec = SHAPES[shape] || SHAPES.circle;
    g.appendChild(svgEl(spec[0], spec[1]));
    svg.appendChild(g);
    return svg;
  }

  function symbolElement(cat, px, hollow) {
    var span = el("span", "vm-symbol");
    span.appendChild(symbolSvg(cat.shape, cat.color, px, hollow));
    return span;
  }

  function lineSample(cat) {
    var span = el("span", "vm-symbol");
    var svg = svgEl("svg", { width: 26, height: 12 });
    var attrs = { x1: 1, y1: 6, x2: 25, y2: 6, stroke: cat.color, "stroke-width": 3.5 };
    if (cat.dash) { attrs["stroke-dasharray"] = cat.dash; }
    svg.appendChild(svgEl("line", attrs));
    span.appendChild(svg);
    return span;
  }

  /* Lines and areas go in a pane of their own, above the overlay pane: laid over a choropleth
   * whose levels are switched (each switch adds its polygons on top of the overlay pane), they
   * stay drawn and clickable above it; markers stay above them. */
  var SHAPE_PANE = "vmProjectShapes";

  /* `data` is null when the page's shared data file (projects-data.js) did not load: the page
   * was copied without it. The page's own map still works; the project layers stay empty. */
  function load(data, map) {
    if (!data) { return null; }
    S = data.strings || {};
    var p = data.projects;
    var n = p.pid.length;
    if (map && !map.getPane(SHAPE_PANE)) { map.createPane(SHAPE_PANE).style.zIndex = 450; }
    var state = {
      data: data,
      pane: map ? SHAPE_PANE : "overlayPane",
      n: n,
      statusOn: data.statuses.map(function () { return true; }),
      yearFrom: data.years ? data.years[0] : null,
      yearTo: data.years ? data.years[1] : null,
      noYear: true,
      layers: [],
      markers: [],
      shown: n,
      listeners: []
    };
    var icons = {};
    state.icon = function (c, sizeIndex, hollow) {
      var key = c + ":" + sizeIndex + ":" + (hollow ? 1 : 0);
      if (!icons[key]) {
        var px = data.sizes[sizeIndex];
        var template = symbolSvg(data.categories[c].shape, data.categories[c].color, px, hollow);
        icons[key] = new (symbolIconClass())({
          template: template,
          className: "vm-project-icon vm-cat-" + c,
          iconSize: [px + 2, px + 2],
          iconAnchor: [px / 2 + 1, px / 2 + 1],
          popupAnchor: [0, -px / 2],
          tooltipAnchor: [0, -px / 2]
        });
      }
      return icons[key];
    };
    global.valleymapsProjectsState = state;
    return state;
  }

  /* Project i's coded text columns (agency, county, funding, source) decoded: {column: text}. */
  function coded(state, i) {
    var p = state.data.projects, out = {};
    Object.keys(state.data.dict).forEach(function (column) {
      var v = p[column][i], dict = state.data.dict[column];
      out[column] = v === null || v === undefined || v < 0 ? "" : dict[v];
    });
    return out;
  }

  function schedule(p, i) {
    var s = p.start[i], e = p.end[i];
    if (s === null && e === null) { return S.notScheduled; }
    if (s === null) { return fillIn(S.completion, { year: e }); }
    if (e === null) { return fillIn(S.from, { year: s }); }
    return s === e ? String(s) : s + "–" + e;
  }

  function popupFor(state, i) {
    var d = state.data, p = d.projects;
    var box = el("div", "vm-popup");
    box.appendChild(el("div", "vm-popup-name", p.name[i]));
    var cat = d.categories[p.cat[i]];
    var sub = el("div", "vm-popup-cat");
    sub.appendChild(symbolElement(cat, 14, false));
    sub.appendChild(el("span", null, " " + cat.label + " · " + d.statusLabels[p.status[i]]));
    box.appendChild(sub);
    var table = el("table", "vm-popup-table");
    var t = coded(state, i);
    var rows = [
      [S.cost, formatUsd(p.cost[i])],
      [S.schedule, schedule(p, i)],
      [S.agency, t.agency],
      [S.projectId, p.pid[i]],
      [S.county, t.county],
      [S.funding, t.funding],
      [S.description, p.desc[i]],
      [S.source, p.row[i] !== null ? fillIn(S.sourceRow, { source: t.source, row: p.row[i] }) : t.source]
    ];
    rows.forEach(function (r) {
      if (r[1] === "" || r[1] === null) { return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      tr.appendChild(el("td", null, r[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function tooltipFor(state, i) {
    var d = state.data, p = d.projects;
    var box = el("div", "vm-ptip");
    box.appendChild(el("div", "vm-ptip-name", p.name[i]));
    box.appendChild(el("div", "vm-ptip-detail",
      d.categories[p.cat[i]].label + " · " + d.statusLabels[p.status[i]] + " · " + formatUsd(p.cost[i])));
    return box;
  }

  function bind(state, layer, i) {
    layer.bindTooltip(function () { return tooltipFor(state, i); }, { direction: "top", className: "vm-tooltip", sticky: false });
    layer.bindPopup(function () { return popupFor(state, i); }, { maxWidth: 340, minWidth: 220 });
    layer.vmIndex = i;
  }

  /* Fill category c: its points go to `points` (the shared cluster group) when given, else to
   * `group` (the category's layer in the layer control), which always holds its lines and areas. */
  function fill(state, group, c, points) {
    if (!state) { return group; }
    var d = state.data, p = d.projects;
    var pts = [], shapes = [];
    d.points.forEach(function (pt) {
      var i = pt[2];
      if (p.cat[i] !== c) { return; }
      var m = L.marker([pt[0], pt[1]], {
        icon: state.icon(c, p.size[i], p.cost[i] === null),
        keyboard: true,  // Tab reaches it, Enter opens its popup (with a11y.js: Space too)
        riseOnHover: true
      });
      m.vmCategory = c;
      bind(state, m, i);
      pts.push(m);
    });
    var cat = d.categories[c];
    d.shapes.features.forEach(function (f) {
      var i = f.properties.i;
      if (p.cat[i] !== c) { return; }
      var isLine = f.geometry.type.indexOf("LineString") >= 0;
      var g = L.geoJSON(f, {
        pane: state.pane,
        style: function () {
          return isLine
            ? { color: cat.color, weight: d.lineWidths[p.size[i]], opacity: 0.9, dashArray: cat.dash || null, lineCap: "butt" }
            : { color: cat.color, weight: 2, opacity: 0.9, fillColor: cat.color, fillOpacity: 0.22, dashArray: cat.dash || null };
        }
      });
      g.eachLayer(function (lyr) { bind(state, lyr, i); });
      shapes.push(g);
    });
    var entry = { group: group, pointGroup: points || group, points: pts, shapes: shapes, category: c };
    state.layers.push(entry);
    group.vmCategory = c;
    return group;
  }

  function visible(state, i) {
    var p = state.data.projects;
    if (!state.statusOn[p.status[i]]) { return false; }
    var s = p.start[i], e = p.end[i];
    if (s === null && e === null) { return state.noYear; }
    if (state.yearFrom === null) { return true; }
    var a = s === null ? e : s, b = e === null ? s : e;
    return b >= state.yearFrom && a <= state.yearTo;
  }

  function itemIndex(item) {
    if (item.vmIndex !== undefined) { return item.vmIndex; }
    var found = null;
    item.eachLayer(function (l) { if (found === null) { found = l.vmIndex; } });
    return found;
  }

  /* Show the items that pass the filter (and whose category layer is on): only the changes are
   * added to or removed from each group, so a filter touching a few projects stays quick. */
  function refresh(state, map) {
    var shown = 0;
    var perCat = state.data.categories.map(function () { return 0; });
    var groups = [], adds = [], removes = [];
    function slot(group) {
      var k = groups.indexOf(group);
      if (k < 0) { groups.push(group); adds.push([]); removes.push([]); k = groups.length - 1; }
      return k;
    }
    function place(item, group, want) {
      if (want === !!item.vmIn) { return; }
      var k = slot(group);
      (want ? adds : removes)[k].push(item);
      item.vmIn = want;
    }
    state.layers.forEach(function (entry) {
      var on = map.hasLayer(entry.group);
      var pointsHere = entry.pointGroup === entry.group;
      entry.points.forEach(function (m) {
        var pass = visible(state, m.vmIndex);
        if (pass) { perCat[entry.category] += 1; if (on) { shown += 1; } }
        place(m, entry.pointGroup, pass && (pointsHere || on));
      });
      entry.shapes.forEach(function (g) {
        var pass = visible(state, itemIndex(g));
        if (pass) { perCat[entry.category] += 1; if (on) { shown += 1; } }
        place(g, entry.group, pass);
      });
    });
    groups.forEach(function (group, k) {
      if (removes[k].length) {
        if (group.removeLayers) { group.removeLayers(removes[k]); } else { removes[k].forEach(function (it) { group.removeLayer(it); }); }
      }
      if (adds[k].length) {
        if (group.addLayers) { group.addLayers(adds[k]); } else { adds[k].forEach(function (it) { group.addLayer(it); }); }
      }
    });
    state.shown = shown;
    state.shownPerCategory = perCat;
    map.getContainer().setAttribute("data-projects-shown", String(shown));
    state.listeners.forEach(function (fn) { fn(); });
  }

  function renderLegend(div, state, map, options) {
    var d = state.data;
    div.textContent = "";
    if (options.legendOnlyWhenOn) {
      // over another map, the project legend appears with the first project layer switched on
      var anyOn = state.layers.some(function (e) { return map.hasLayer(e.group); });
      div.classList.toggle("vm-legend-hidden", !anyOn);
      if (!anyOn) { return; }  // left empty: nothing of it in the page until a layer is on
    }
    div.appendChild(el("div", "vm-legend-title", d.legendTitle));
    d.categories.forEach(function (cat, c) {
      if (!cat.count) { return; }
      var row = el("div", "vm-legend-row vm-project-legend-row");
      row.setAttribute("data-category", cat.key);
      row.appendChild(symbolElement(cat, 16, false));
      if (cat.lines) { row.appendChild(lineSample(cat)); }
      var n = state.shownPerCategory ? state.shownPerCategory[c] : cat.count;
      row.appendChild(el("span", "vm-legend-label", cat.label + " (" + num(n) + ")"));
      var off = state.layers.some(function (e) { return e.category === c && !map.hasLayer(e.group); });
      if (off) { row.classList.add("vm-legend-off"); }
      div.appendChild(row);
    });
    if (d.sizeLegend.length) {
      div.appendChild(el("div", "vm-legend-level", S.symbolSize));
      var sizes = el("div", "vm-size-legend");
      d.sizeLegend.forEach(function (s) {
        var item = el("div", "vm-size-item");
        item.appendChild(symbolElement({ shape: "circle", color: "#777777" }, d.sizes[s.size], false));
        item.appendChild(el("span", "vm-legend-label", s.label));
        sizes.appendChild(item);
      });
      div.appendChild(sizes);
    }
    if (d.nUnknownCost) {
      var unk = el("div", "vm-legend-row");
      unk.appendChild(symbolElement({ shape: "circle", color: "#777777" }, 14, true));
      unk.appendChild(el("span", "vm-legend-label", fillIn(S.hollow, { n: num(d.nUnknownCost) })));
      div.appendChild(unk);
    }
    if (d.cluster) {
      div.appendChild(el("div", "vm-legend-note", S.clusterNote));
    }
    (options.legendSourceLines || []).forEach(function (line) {
      div.appendChild(el("div", "vm-legend-note vm-project-source", line));
    });
  }

  function filterPanel(state, map) {
    var d = state.data;
    var box = el("div", "vm-project-filter");
    box.appendChild(el("div", "vm-metrics-title", S.status));
    d.statuses.forEach(function (s, k) {
      var label = el("label", "vm-filter-status");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = s;
      input.name = "vm-status";
      input.addEventListener("change", function () { state.statusOn[k] = input.checked; refresh(state, map); });
      label.appendChild(input);
      label.appendChild(el("span", null, " " + d.statusLabels[k] + " (" + num(d.statusCounts[k]) + ")"));
      box.appendChild(label);
    });
    if (d.years) {
      box.appendChild(el("div", "vm-metrics-title", S.schedule));
      var lo = d.years[0], hi = d.years[1];
      var readout = el("div", "vm-year-readout");
      function slider(name, value) {
        var input = el("input");
        input.type = "range";
        input.min = String(lo);
        input.max = String(hi);
        input.step = "1";
        input.value = String(value);
        input.name = name;
        input.className = "vm-year-" + name;
        return input;
      }
      var from = slider("from", lo), to = slider("to", hi);
      function update(changed) {
        var a = parseInt(from.value, 10), b = parseInt(to.value, 10);
        if (a > b) { if (changed === from) { to.value = String(a); b = a; } else { from.value = String(b); a = b; } }
        state.yearFrom = a;
        state.yearTo = b;
        readout.textContent = fillIn(S.underWay, { from: a, to: b });
        refresh(state, map);
      }
      from.addEventListener("input", function () { update(from); });
      to.addEventListener("input", function () { update(to); });
      var row1 = el("label", "vm-year-row"); row1.appendChild(el("span", null, S.fromLabel)); row1.appendChild(from);
      var row2 = el("label", "vm-year-row"); row2.appendChild(el("span", null, S.toLabel)); row2.appendChild(to);
      box.appendChild(row1);
      box.appendChild(row2);
      readout.textContent = fillIn(S.underWay, { from: lo, to: hi });
      box.appendChild(readout);
      if (d.nNoYear) {
        var nl = el("label", "vm-filter-noyear");
        var cb = el("input");
        cb.type = "checkbox";
        cb.checked = true;
        cb.name = "vm-noyear";
        cb.addEventListener("change", function () { state.noYear = cb.checked; refresh(state, map); });
        nl.appendChild(cb);
        nl.appendChild(el("span", null, fillIn(S.noSchedule, { n: num(d.nNoYear) })));
        box.appendChild(nl);
      }
    }
    var count = el("div", "vm-project-count");
    state.listeners.push(function () {
      count.textContent = fillIn(S.showing, { shown: num(state.shown), n: num(state.n) });
    });
    box.appendChild(count);
    return box;
  }

  /* The data table: the projects the filter shows, with what their symbols and popups say. */
  function tableOf(state, options) {
    var d = state.data, p = d.projects, rows = [];
    for (var i = 0; i < state.n; i += 1) {
      if (!visible(state, i)) { continue; }
      var t = coded(state, i);
      rows.push([
        p.name[i], d.categories[p.cat[i]].label, d.statusLabels[p.status[i]],
        { text: formatUsd(p.cost[i]), value: p.cost[i] },
        { text: schedule(p, i), value: p.start[i] === null ? p.end[i] : p.start[i] },
        t.agency, t.county
      ]);
    }
    return {
      caption: fillIn(S.caption, { title: options.title || S.projects, n: num(rows.length) }),
      note: S.tableNote,
      columns: [{ label: S.project }, { label: S.category }, { label: S.status }, { label: S.cost, numeric: true },
                { label: S.schedule, numeric: true }, { label: S.agency }, { label: S.county }],
      rows: rows
    };
  }

  function attach(map, state, options) {
    if (!state) {
      map.getContainer().setAttribute("data-projects-ready", "missing");
      return null;
    }
    var d = state.data;
    var legend = L.control({ position: options.legendPosition || "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-legend vm-project-legend leaflet-control" +
        (options.legendOnlyWhenOn ? " vm-project-legend-overlay" : ""));
      div.setAttribute("role", "region");  // a named landmark; it may scroll, so Tab reaches it
      div.setAttribute("aria-label", S.legendLabel);
      div.setAttribute("tabindex", "0");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
    state.listeners.push(function () { renderLegend(legend.getContainer(), state, map, options); });

    if (options.panel) {
      var panel = L.control({ position: "topright" });
      panel.onAdd = function () {
        var div = L.DomUtil.create("div", "vm-panel leaflet-control");
        div.setAttribute("role", "region");
        div.setAttribute("aria-label", S.panelLabel);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        if (options.title) { div.appendChild(el("div", "vm-title", options.title)); }
        if (options.subtitle) { div.appendChild(el("div", "vm-subtitle", options.subtitle)); }
        if (options.summary) { div.appendChild(el("div", "vm-project-summary", options.summary)); }
        if (options.filter) { div.appendChild(filterPanel(state, map)); }
        return div;
      };
      panel.addTo(map);
    }
    if (options.sourceLines && options.sourceLines.length) {
      var source = L.control({ position: "bottomleft" });
      source.onAdd = function () {
        var div = L.DomUtil.create("div", "vm-source leaflet-control");
        options.sourceLines.forEach(function (line) { div.appendChild(el("div", null, line)); });
        return div;
      };
      source.addTo(map);
    }
    if (options.panel && global.valleymapsA11y) {
      global.valleymapsA11y.setTable(map, function () { return tableOf(state, options); });
    }
    map.on("overlayadd overlayremove", function () { refresh(state, map); });
    global.valleymapsProjectsRefresh = function () { refresh(state, map); };
    refresh(state, map);
    map.getContainer().setAttribute("data-projects-ready", "1");
    return d;
  }

  /* A cluster: its count on a ring whose segments show the categories of the projects in it. */
  function clusterIcon(cluster) {
    var state = global.valleymapsProjectsState;
    var cats = state.data.categories;
    var counts = cats.map(function () { return 0; });
    cluster.getAllChildMarkers().forEach(function (m) { counts[m.vmCategory] += 1; });
    var n = cluster.getChildCount();
    var stops = [], acc = 0;
    counts.forEach(function (k, c) {
      if (!k) { return; }
      var a = acc / n * 100, b = (acc + k) / n * 100;
      stops.push(cats[c].color + " " + a.toFixed(1) + "% " + b.toFixed(1) + "%");
      acc += k;
    });
    var px = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 42 : 48));
    var ring = document.createElement("div");
    ring.className = "vm-cluster";
    ring.style.width = px + "px";
    ring.style.height = px + "px";
    ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
    var label = document.createElement("span");
    label.className = "vm-cluster-count";
    label.textContent = n < 10000 ? String(n) : Math.round(n / 1000) + "k";
    ring.appendChild(label);
    return L.divIcon({ html: ring, className: "vm-cluster-icon", iconSize: L.point(px, px) });
  }

  global.valleymapsProjects = {
    load: load, fill: fill, attach: attach, clusterIcon: clusterIcon, formatUsd: formatUsd
  };
})(window);
