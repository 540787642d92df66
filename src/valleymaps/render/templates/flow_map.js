/* valleymaps flow maps: curved arcs between places, filters, an inflow/outflow summary.
 * All text from data files is set with textContent (never innerHTML). */
(function (global) {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var KINDS = ["leaving", "entering", "within"];
  /* Kinds differ by line pattern as well as colour (colour is never the only carrier): the
   * patterns come with the page's data (flow_map.KIND_DASHES), these are the defaults. */
  var DASHES = { leaving: "10 4", entering: "3 3", within: null };

  /* A legend swatch in the kind's colour and line pattern. */
  function kindSwatch(kind, color, dashes) {
    var sw = el("span", "vm-kind-swatch vm-kind-swatch-" + kind);
    var dash = (dashes || DASHES)[kind];
    if (dash) {
      var parts = dash.split(" ").map(Number);
      sw.style.background = "repeating-linear-gradient(90deg, " + color + " 0 " + parts[0] + "px, transparent " +
        parts[0] + "px " + (parts[0] + parts[1]) + "px)";
    } else {
      sw.style.background = color;
    }
    sw.setAttribute("aria-hidden", "true");
    return sw;
  }
  var W_MIN = 1.2, W_MAX = 14;

  /* The page's words, in its language (data.strings from the page); this script has none. */
  var S = {};

  /* A message with {name} fields filled in. */
  function fill(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) { return "–"; }
    return Math.round(v).toLocaleString(S.locale);
  }
  function fmtSigned(v) {
    if (v === null || v === undefined || isNaN(v)) { return "–"; }
    return (v > 0 ? "+" : v < 0 ? "−" : "") + fmt(Math.abs(v));
  }
  function pct(v) {
    if (v === null || v === undefined || isNaN(v)) { return "–"; }
    return (v * 100).toFixed(1) + "%";
  }
  function moe(v, asPct) {
    if (v === null || v === undefined || isNaN(v)) { return ""; }
    return " ± " + (asPct ? pct(v) : fmt(v));
  }

  /* ---------------------------------------------------------------- geometry of arcs */

  function arcLatLngs(map, a, b) {
    var z = 8;  // shape fixed in projected space at one zoom: the curve keeps its form when zooming
    var p0 = map.project([a.lat, a.lon], z), p1 = map.project([b.lat, b.lon], z);
    var dx = p1.x - p0.x, dy = p1.y - p0.y;
    var cx = (p0.x + p1.x) / 2 - 0.22 * dy, cy = (p0.y + p1.y) / 2 + 0.22 * dx;
    var pts = [];
    for (var i = 0; i <= 28; i++) {
      var t = 0.985 * i / 28;  // stop just short of the centroid: the arrowhead ends there
      var x = (1 - t) * (1 - t) * p0.x + 2 * (1 - t) * t * cx + t * t * p1.x;
      var y = (1 - t) * (1 - t) * p0.y + 2 * (1 - t) * t * cy + t * t * p1.y;
      pts.push(map.unproject([x, y], z));
    }
    return pts;
  }

  function widthFor(v, vmax) {
    if (!vmax || !(v > 0)) { return W_MIN; }
    return W_MIN + (W_MAX - W_MIN) * Math.sqrt(v / vmax);
  }

  function arrowId(kind, size) { return "vm-arrow-" + kind + "-" + size; }
  function arrowSize(width) { return Math.max(2, Math.min(6, Math.round(width / 2.5))); }

  function ensureMarkers(map, colors) {
    var renderer = map.getRenderer(L.polyline([[0, 0], [0, 0]]));
    var root = renderer._container;
    if (!root || root.querySelector("defs.vm-arrows")) { return; }
    var defs = svg("defs", { "class": "vm-arrows" });
    KINDS.forEach(function (kind) {
      for (var size = 2; size <= 6; size++) {
        var px = 4 + size * 2.6;
        var marker = svg("marker", {
          id: arrowId(kind, size), viewBox: "0 0 10 10", refX: "8", refY: "5",
          markerWidth: String(px), markerHeight: String(px), markerUnits: "userSpaceOnUse",
          orient: "auto"
        });
        marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colors[kind] }));
        defs.appendChild(marker);
      }
    });
    root.insertBefore(defs, root.firstChild);
  }

  /* ---------------------------------------------------------------- the page */

  function draw(map, data) {
    S = data.strings || S;
    var state = {
      topN: data.defaults.topN, minFlow: data.defaults.minFlow, segment: "",
      kinds: {}, selected: null
    };
    KINDS.forEach(function (kind) { state.kinds[kind] = data.defaults.kinds.indexOf(kind) >= 0; });
    var places = data.places;
    var container = map.getContainer();
    container.classList.add("vm-flow-map");

    function value(line) {
      if (state.segment === "") { return line.w; }
      return line.seg ? line.seg[state.segment] : null;
    }
    function placeName(g) { return places[g] ? places[g].name : g; }
    function summaryOf(g) {
      var s = data.summary[g];
      return s ? (s[state.segment] || s[""]) : null;
    }
    function segLabel() {
      var found = data.segments.filter(function (s) { return s.key === state.segment; })[0];
      return found ? found.label : S.allWorkers;
    }

    /* layers: other places faintly, the region's areas, its outline */
    if (data.context) {
      L.geoJSON(data.context, {
        interactive: false,
        style: function () { return { color: "#b5b5b5", weight: 0.8, fillColor: "#f4f4f2", fillOpacity: 0.35 }; }
      }).addTo(map);
    }
    var areaLayer = L.geoJSON(data.areas, {
      style: function () { return { color: "#ffffff", weight: 1, fillColor: "#c9dbe3", fillOpacity: 0.55 }; },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(function () { return areaTooltip(f.properties.geoid); },
                        { sticky: true, className: "vm-tooltip", direction: "top" });
        lyr.on("click", function () { select(state.selected === f.properties.geoid ? null : f.properties.geoid); });
      }
    }).addTo(map);
    if (data.outline) {
      L.geoJSON(data.outline, {
        interactive: false,
        style: function () { return { fill: false, color: "#222222", weight: 2.6, opacity: 0.9 }; }
      }).addTo(map);
    }
    var arcLayer = L.featureGroup().addTo(map);
    ensureMarkers(map, data.colors);

    function areaTooltip(g) {
      var box = el("div", "vm-tip");
      box.appendChild(el("div", "vm-tip-name", placeName(g)));
      var s = summaryOf(g);
      if (s) {
        box.appendChild(el("div", "vm-tip-metric", segLabel()));
        box.appendChild(el("div", null, fill(S.jobsHere, { value: fmt(s.employed) + moe(s.employed_moe) })));
        box.appendChild(el("div", null, fill(S.employedResidents, { value: fmt(s.living) + moe(s.living_moe) })));
        box.appendChild(el("div", null, fill(S.outCommuters, { value: fmt(s.outflow) + moe(s.outflow_moe),
          rate: pct(s.leakage_rate) + moe(s.leakage_rate_moe, true) })));
        box.appendChild(el("div", null, fill(S.inCommuters, { value: fmt(s.inflow) + moe(s.inflow_moe),
          rate: pct(s.import_rate) + moe(s.import_rate_moe, true) })));
      }
      box.appendChild(el("div", "vm-tip-extra", state.selected === g ? S.clickAll : S.clickOnly));
      return box;
    }

    function lineTooltip(line, v) {
      var box = el("div", "vm-tip");
      box.appendChild(el("div", "vm-tip-name", placeName(line.o) + " → " + placeName(line.d)));
      box.appendChild(el("div", "vm-tip-metric", data.kindLabels[line.k]));
      var shown = fmt(v) + (state.segment === "" ? moe(line.m) : "");
      box.appendChild(el("div", "vm-tip-value", state.segment === "" ? fill(S.workers, { value: shown }) :
        fill(S.workersSegment, { value: shown, segment: segLabel() })));
      var share, shareMoe = null, whose;
      if (line.bundle) {
        var rs = summaryOf(data.region.geoid);
        var rt = rs ? (line.k === "entering" ? rs.inflow : rs.outflow) : null;
        share = rt ? v / rt : null;
        box.appendChild(el("div", null, fill(line.k === "entering" ? S.shareOfIn : S.shareOfOut,
          { share: pct(share), place: data.region.name })));
        box.appendChild(el("div", "vm-tip-extra", fill(line.n === 1 ? S.bundlesOne : S.bundlesMany,
          { n: line.n, level: data.levelLabel.toLowerCase() })));
        return box;
      }
      if (state.segment === "") {
        share = line.s; shareMoe = line.sm;
      } else {
        var s = summaryOf(line.k === "entering" ? line.d : line.o);
        var total = s ? (line.k === "entering" ? s.inflow : s.outflow) : null;
        share = total ? v / total : null;
      }
      whose = line.k === "entering" ? placeName(line.d) : placeName(line.o);
      box.appendChild(el("div", null, fill(line.k === "entering" ? S.shareOfIn : S.shareOfOut,
        { share: pct(share) + moe(shareMoe, true), place: whose })));
      box.appendChild(el("div", "vm-tip-extra", fill(S.livesWorks, { home: placeName(line.o), work: placeName(line.d) })));
      return box;
    }

    /* which lines are drawn: with bundles, flows across the region's edge are drawn one arc per
       larger area (county) until an area is clicked */
    function candidates() {
      var source = data.lines;
      if (data.bundles && !state.selected) {
        source = data.lines.filter(function (line) { return line.k === "within"; }).concat(data.bundles);
      }
      return source.filter(function (line) {
        if (!state.kinds[line.k]) { return false; }
        if (state.selected && line.o !== state.selected && line.d !== state.selected) { return false; }
        return places[line.o] && places[line.d];
      });
    }

    function redraw() {
      arcLayer.clearLayers();
      var pool = candidates().map(function (line) { return { line: line, v: value(line) }; })
        .filter(function (x) { return x.v !== null && x.v > 0; });
      pool.sort(function (a, b) { return b.v - a.v; });
      var shown = pool.filter(function (x) { return x.v >= state.minFlow; }).slice(0, Math.max(0, state.topN));
      var vmax = shown.length ? shown[0].v : 0;
      state.vmax = vmax;
      shown.slice().reverse().forEach(function (x) {
        var line = x.line, width = widthFor(x.v, vmax);
        var poly = L.polyline(arcLatLngs(map, places[line.o], places[line.d]), {
          color: data.colors[line.k], weight: width, opacity: 0.9, lineCap: "butt", dashArray: (data.dashes || DASHES)[line.k],
          className: "vm-arc vm-arc-" + line.k
        });
        poly.bindTooltip(function () { return lineTooltip(line, x.v); },
                         { sticky: true, className: "vm-tooltip", direction: "top" });
        poly.on("mouseover", function () { poly.setStyle({ opacity: 1, weight: width + 2 }); poly.bringToFront(); });
        poly.on("mouseout", function () { poly.setStyle({ opacity: 0.9, weight: width }); });
        poly.addTo(arcLayer);
        var path = poly.getElement();
        if (path) {
          path.setAttribute("marker-end", "url(#" + arrowId(line.k, arrowSize(width)) + ")");
          path.setAttribute("data-kind", line.k);
          path.setAttribute("data-workers", String(Math.round(x.v)));
        }
      });
      state.shown = shown;
      container.setAttribute("data-arcs", String(shown.length));
      renderLegend(vmax);
      renderNote(pool, shown);
      renderSummary();
      renderOffMap();
      areaLayer.setStyle(function (f) {
        var sel = state.selected === f.properties.geoid;
        return { color: sel ? "#111111" : "#ffffff", weight: sel ? 3 : 1, fillColor: "#c9dbe3",
                 fillOpacity: sel ? 0.8 : 0.55 };
      });
    }

    /* The data table: the flows drawn (what their tooltips say) and each area's commuting. */
    function tables() {
      var flows = (state.shown || []).map(function (x) {
        var line = x.line;
        var share = null;
        if (!line.bundle && state.segment === "") { share = line.s; }
        return [
          { text: placeName(line.o) + " \u2192 " + placeName(line.d), value: placeName(line.o) + " " + placeName(line.d) },
          placeName(line.o), placeName(line.d), data.kindLabels[line.k].split(" (")[0],
          { text: fmt(x.v) + (state.segment === "" ? moe(line.m) : ""), value: x.v },
          { text: share === null || share === undefined ? "\u2013" : pct(share), value: share }
        ];
      });
      var areas = [];
      Object.keys(data.summary).forEach(function (g) {
        var sm = summaryOf(g);
        if (!sm || !places[g]) { return; }
        areas.push([placeName(g), { text: fmt(sm.employed), value: sm.employed },
          { text: fmt(sm.living), value: sm.living }, { text: fmt(sm.outflow), value: sm.outflow },
          { text: pct(sm.leakage_rate), value: sm.leakage_rate }, { text: fmt(sm.inflow), value: sm.inflow },
          { text: pct(sm.import_rate), value: sm.import_rate }]);
      });
      var who = segLabel();
      return [{
        caption: fill(S.flowsCaption, { title: data.title, n: flows.length, who: who }),
        note: S.flowsNote,
        columns: [{ label: S.colFlow }, { label: S.colLivesIn }, { label: S.colWorksIn }, { label: S.colKind },
                  { label: S.workersLabel, numeric: true }, { label: S.colShare, numeric: true }],
        rows: flows
      }, {
        caption: fill(S.areasCaption, { level: data.levelLabel, who: who }),
        columns: [{ label: S.colArea }, { label: S.colJobsHere, numeric: true }, { label: S.colResidents, numeric: true },
                  { label: S.colOut, numeric: true }, { label: S.colOutShare, numeric: true },
                  { label: S.colIn, numeric: true }, { label: S.colInShare, numeric: true }],
        rows: areas
      }];
    }
    if (global.valleymapsA11y) { global.valleymapsA11y.setTable(map, tables); }

    function select(g) {
      state.selected = g;
      container.setAttribute("data-selected", g || "");
      redraw();
    }

    /* ------------------------------------------------------------ panels */

    function control(position, className) {
      var c = L.control({ position: position });
      c.onAdd = function () {
        var div = L.DomUtil.create("div", className + " leaflet-control");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      };
      c.addTo(map);
      return c.getContainer();
    }

    var panel = control("topleft", "vm-panel vm-flow-panel");
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", S.panelLabel);
    panel.appendChild(el("div", "vm-title", data.title));
    if (data.synthetic) { panel.appendChild(el("div", "vm-synthetic", data.synthetic)); }
    if (data.subtitle) { panel.appendChild(el("div", "vm-subtitle", data.subtitle)); }
    var form = el("form", "vm-flow-filters");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    function numberInput(label, name, val, step) {
      var wrap = el("label", "vm-filter");
      wrap.appendChild(el("span", null, label));
      var input = el("input");
      input.type = "number"; input.min = "0"; input.step = String(step); input.name = name;
      input.value = String(val);
      input.addEventListener("input", function () {
        var v = parseFloat(input.value);
        if (!isNaN(v)) { state[name] = v; redraw(); }
      });
      wrap.appendChild(input);
      form.appendChild(wrap);
    }
    numberInput(S.largestShown, "topN", state.topN, 5);
    numberInput(S.atLeast, "minFlow", state.minFlow, 10);
    var kindBox = el("div", "vm-kinds");
    KINDS.forEach(function (kind) {
      var wrap = el("label", "vm-kind");
      var input = el("input");
      input.type = "checkbox"; input.checked = state.kinds[kind]; input.name = "kind-" + kind;
      input.addEventListener("change", function () { state.kinds[kind] = input.checked; redraw(); });
      var sw = kindSwatch(kind, data.colors[kind], data.dashes);
      wrap.appendChild(input);
      wrap.appendChild(sw);
      wrap.appendChild(el("span", null, data.kindLabels[kind].split(" (")[0]));
      wrap.title = data.kindLabels[kind];
      kindBox.appendChild(wrap);
    });
    form.appendChild(kindBox);
    var legend = el("div", "vm-flow-legend");
    form.appendChild(legend);
    if (data.segments.length > 1) {
      var segWrap = el("label", "vm-filter vm-segment");
      segWrap.appendChild(el("span", null, S.workersLabel));
      var sel = el("select");
      sel.name = "segment";
      data.segments.forEach(function (s) {
        var opt = el("option", null, s.label);
        opt.value = s.key;
        sel.appendChild(opt);
      });
      sel.addEventListener("change", function () { state.segment = sel.value; redraw(); });
      segWrap.appendChild(sel);
      form.appendChild(segWrap);
    }
    panel.appendChild(form);
    var note = el("div", "vm-flow-note");
    panel.appendChild(note);

    var summaryBox = control("topright", "vm-panel vm-summary");
    var offBox = control("bottomright", "vm-panel vm-offmap");
    /* panels that may scroll are reachable with Tab (and scroll with the arrow keys) */
    [[summaryBox, S.summaryLabel], [offBox, S.offLabel]].forEach(function (pair) {
      pair[0].setAttribute("tabindex", "0");
      pair[0].setAttribute("role", "region");
      pair[0].setAttribute("aria-label", pair[1]);
    });
    var source = control("bottomleft", "vm-source");
    var details = el("details");
    details.appendChild(el("summary", null, S.sources));
    data.sourceLines.forEach(function (line) { details.appendChild(el("div", null, line)); });
    source.appendChild(details);
    if (data.synthetic) { source.appendChild(el("div", "vm-synthetic", data.synthetic)); }

    function renderLegend(vmax) {
      legend.textContent = "";
      legend.appendChild(el("div", "vm-legend-units",
        state.segment ? fill(S.lineWidthSegment, { segment: segLabel() }) : S.lineWidth));
      if (!vmax) { legend.appendChild(el("div", "vm-legend-note", S.noFlowsDrawn)); return; }
      var steps = [vmax, vmax / 4, vmax / 16].filter(function (v) { return v >= 1; });
      var row = el("div", "vm-legend-row vm-width-row");
      steps.forEach(function (v) {
        var pic = svg("svg", { width: "34", height: "16", "class": "vm-width-sample" });
        pic.appendChild(svg("line", { x1: "1", y1: "8", x2: "33", y2: "8", stroke: "#666",
                                      "stroke-width": String(widthFor(v, vmax)) }));
        row.appendChild(pic);
        row.appendChild(el("span", "vm-legend-label vm-width-label", fmt(v)));
      });
      legend.appendChild(row);
    }

    function renderNote(pool, shown) {
      note.textContent = "";
      var drawn = shown.reduce(function (a, x) { return a + x.v; }, 0);
      var all = pool.reduce(function (a, x) { return a + x.v; }, 0);
      var extra = 0, extraLines = 0;
      if (!state.selected) {
        extraLines = data.notCarried.lines;
        extra = state.segment === "" ? data.notCarried.workers : (data.notCarried.seg[state.segment] || 0);
      }
      var total = all + (extra || 0);
      note.appendChild(el("div", "vm-note-drawn", fill(S.drawn, { flows: shown.length, workers: fmt(drawn),
        share: pct(total ? drawn / total : null) })));
      var left = pool.length - shown.length + extraLines;
      if (left > 0) {
        note.appendChild(el("div", "vm-note-left", fill(extraLines ? S.notDrawnCarried : S.notDrawn, {
          flows: left.toLocaleString(S.locale), workers: fmt(total - drawn),
          lines: extraLines.toLocaleString(S.locale) })));
      }
      note.appendChild(el("div", "vm-note-off", S.offNote));
    }

    function summaryRow(box, kind, label, v, m) {
      var row = el("div", "vm-sum-row" + (kind ? " vm-sum-" + kind : ""));
      if (kind) {
        var sw = kindSwatch(kind, data.colors[kind], data.dashes);
        row.appendChild(sw);
      }
      row.appendChild(el("span", "vm-sum-label", label));
      row.appendChild(el("span", "vm-sum-value", v + m));
      box.appendChild(row);
    }

    function renderSummary() {
      summaryBox.textContent = "";
      var g = state.selected || data.region.geoid;
      var s = summaryOf(g);
      var name = state.selected ? placeName(g) : data.region.name;
      summaryBox.appendChild(el("div", "vm-sum-title", fill(S.inflowOutflow, { place: name })));
      summaryBox.appendChild(el("div", "vm-subtitle", segLabel()));
      if (!s) { summaryBox.appendChild(el("div", null, S.noFlowsArea)); return; }
      // an OnTheMap-like diagram: in-commuters arrive, residents leave, the rest stay
      var pic = svg("svg", { width: "250", height: "64", "class": "vm-sum-diagram", viewBox: "0 0 250 64" });
      var maxv = Math.max(s.inflow || 0, s.outflow || 0, 1);
      var wi = 3 + 16 * Math.sqrt((s.inflow || 0) / maxv), wo = 3 + 16 * Math.sqrt((s.outflow || 0) / maxv);
      pic.appendChild(svg("line", { x1: "4", y1: "20", x2: "84", y2: "20", stroke: data.colors.entering, "stroke-width": String(wi) }));
      pic.appendChild(svg("path", { d: "M84," + (20 - wi) + " L102,20 L84," + (20 + wi) + " z", fill: data.colors.entering }));
      pic.appendChild(svg("rect", { x: "104", y: "6", width: "42", height: "52", rx: "8", fill: data.colors.within, opacity: "0.85" }));
      pic.appendChild(svg("line", { x1: "148", y1: "44", x2: "228", y2: "44", stroke: data.colors.leaving, "stroke-width": String(wo) }));
      pic.appendChild(svg("path", { d: "M228," + (44 - wo) + " L246,44 L228," + (44 + wo) + " z", fill: data.colors.leaving }));
      summaryBox.appendChild(pic);
      var m = state.segment === "" ? moe : function () { return ""; };
      summaryRow(summaryBox, "entering", S.sumEntering, fmt(s.inflow), m(s.inflow_moe));
      summaryRow(summaryBox, "within", S.sumWithin, fmt(s.both), m(s.both_moe));
      summaryRow(summaryBox, "leaving", S.sumLeaving, fmt(s.outflow), m(s.outflow_moe));
      summaryRow(summaryBox, null, S.sumJobs, fmt(s.employed), m(s.employed_moe));
      summaryRow(summaryBox, null, S.sumLiving, fmt(s.living), m(s.living_moe));
      var odJobs = s.employed_od, odLiving = s.living_od;
      if ((odJobs !== undefined && Math.round(odJobs) !== Math.round(s.employed)) ||
          (odLiving !== undefined && Math.round(odLiving) !== Math.round(s.living))) {
        var od = el("div", "vm-sum-od", fill(S.odAlone, { jobs: fmt(odJobs), living: fmt(odLiving) }));
        summaryBox.appendChild(od);
      }
      summaryRow(summaryBox, null, S.net, fmtSigned(s.net), m(s.net_moe));
      summaryRow(summaryBox, null, S.leakage, pct(s.leakage_rate), m(s.leakage_rate_moe, true));
      summaryRow(summaryBox, null, S.importRate, pct(s.import_rate), m(s.import_rate_moe, true));
      if (state.selected) {
        summaryRow(summaryBox, null, fill(S.residentsOutside, { region: data.region.name }),
                   fmt(s.outflow_region) + " (" + pct(s.region_leakage_rate) + ")", m(s.outflow_region_moe));
      }
      if ((data.notes || []).length) {
        var notes = el("div", "vm-sum-notes");
        data.notes.forEach(function (n) { notes.appendChild(el("div", "vm-sum-note", n)); });
        summaryBox.appendChild(notes);
      }
      if (state.selected) {
        var clear = el("button", "vm-clear", S.showRegion);
        clear.type = "button";
        clear.addEventListener("click", function () { select(null); });
        summaryBox.appendChild(clear);
      }
    }

    function renderOffMap() {
      offBox.textContent = "";
      offBox.appendChild(el("div", "vm-sum-title", S.offMap));
      var rows = data.offMap.filter(function (r) {
        return state.kinds[r.k] && (!state.selected || r.area === state.selected);
      });
      ["leaving", "entering"].forEach(function (kind) {
        var byPlace = {};
        rows.filter(function (r) { return r.k === kind; }).forEach(function (r) {
          var v = state.segment === "" ? r.w : (r.seg ? r.seg[state.segment] : null);
          if (v === null || v === undefined) { return; }
          var p = byPlace[r.place] || (byPlace[r.place] = { name: r.name || r.place, v: 0, m2: 0, hasM: false });
          p.v += v;
          if (state.segment === "" && r.m !== null) { p.m2 += r.m * r.m; p.hasM = true; }
        });
        var list = Object.keys(byPlace).map(function (k) { return byPlace[k]; })
          .filter(function (p) { return p.v > 0; })
          .sort(function (a, b) { return b.v - a.v; });
        var section = el("div", "vm-off-section");
        section.setAttribute("data-kind", kind);
        var head = el("div", "vm-off-head");
        var sw = kindSwatch(kind, data.colors[kind], data.dashes);
        head.appendChild(sw);
        head.appendChild(el("span", null, kind === "leaving" ? S.workingAway : S.livingAway));
        section.appendChild(head);
        var total = list.reduce(function (a, p) { return a + p.v; }, 0);
        list.slice(0, 5).forEach(function (p) {
          var row = el("div", "vm-off-row");
          row.appendChild(el("span", "vm-off-name", p.name));
          row.appendChild(el("span", "vm-off-value", fmt(p.v) + (p.hasM ? moe(Math.sqrt(p.m2)) : "")));
          section.appendChild(row);
        });
        if (list.length > 5) {
          var restV = list.slice(5).reduce(function (a, p) { return a + p.v; }, 0);
          section.appendChild(el("div", "vm-off-row vm-off-more", fill(S.morePlaces, { n: list.length - 5, value: fmt(restV) })));
        }
        if (!list.length) { section.appendChild(el("div", "vm-off-row", S.none)); }
        else { section.appendChild(el("div", "vm-off-total", fill(S.total, { value: fmt(total) }))); }
        offBox.appendChild(section);
      });
      if (data.offMapNote) { offBox.appendChild(el("div", "vm-legend-note vm-off-grouping", data.offMapNote)); }
      if (data.offMapTruncated) { offBox.appendChild(el("div", "vm-legend-note", S.largestOnly)); }
    }

    global.valleymapsFlows = { select: select, state: state, redraw: redraw };
    redraw();
    return { select: select, redraw: redraw, state: state };
  }

  /* ---------------------------------------------------------------- MOE lines in choropleths */

  function addMoeLines(map, data) {
    function attach(layer) {
      if (!layer.vmSpec || layer.vmMoeAttached) { return; }
      layer.vmMoeAttached = true;
      layer.on("tooltipopen", function (e) {
        var metric = map.getContainer().getAttribute("data-metric");
        var byMetric = data[layer.vmSpec.level] || {};
        var texts = byMetric[metric];
        var target = e.sourceTarget || e.layer;
        if (!texts || !target || !target.feature) { return; }
        var text = texts[target.feature.properties.i];
        var node = e.tooltip.getElement();
        var box = node ? node.querySelector(".vm-tip") : null;
        if (!text || !box || box.querySelector(".vm-tip-moe")) { return; }
        var value = box.querySelector(".vm-tip-value");
        var line = el("div", "vm-tip-moe", text);
        if (value && value.nextSibling) { box.insertBefore(line, value.nextSibling); } else { box.appendChild(line); }
      });
    }
    map.eachLayer(attach);
    map.on("layeradd", function (e) { attach(e.layer); });
    // base layers not shown yet: folium declares them as globals named VmLevel_<id>
    Object.keys(global).forEach(function (k) {
      if (k.indexOf("vm_level_") === 0 || k.indexOf("VmLevel") === 0) {
        try { attach(global[k]); } catch (ignored) { /* not a layer */ }
      }
    });
  }

  global.vmFlows = { draw: draw, addMoeLines: addMoeLines, arcLatLngs: arcLatLngs };
})(window);
