/* valleymaps choropleth: one geometry layer per level, metrics switched by restyling.
 * All text from data files is set with textContent (never innerHTML). */
(function (global) {
  "use strict";

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  /* The page's words, in its language: set by attach() from the strings the page passes
   * (options.strings); this script holds none of its own. */
  var S = {};

  /* A message with {name} fields filled in. */
  function fill(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  /* The arrays of a metric for the year shown: annual metrics keep one entry per year
   * ({cls, v, flags: {index: codes}}), the others fixed arrays ({cls, text, rank, flags}). */
  function yearData(m, state) {
    if (!m) { return null; }
    if (!m.byYear) { return m; }
    return m.byYear[String(state.year)] || null;
  }

  function flagAt(d, i) {
    if (!d || !d.flags) { return ""; }
    return (Array.isArray(d.flags) ? d.flags[i] : d.flags[String(i)]) || "";
  }

  /* A value the source does not count at all (flag C): its own colour and legend entry. */
  function notCovered(spec, d, i) {
    return !!(spec.notCovered && d && d.cls[i] < 0 &&
              flagAt(d, i).indexOf(spec.notCovered.flag) >= 0);
  }

  function formatValue(fmt, v) {
    if (v === null || v === undefined || !isFinite(v)) { return "\u2013"; }
    var sign = v > 0 ? "+" : "";
    switch (fmt) {
      case "jobs": return Math.round(v).toLocaleString(S.locale);
      case "signed_jobs": return sign + Math.round(v).toLocaleString(S.locale);
      case "percent": return (v * 100).toFixed(1) + "%";
      case "signed_percent": return sign + (v * 100).toFixed(1) + "%";
      default: return v.toFixed(2);
    }
  }

  function valueText(spec, m, d, metric, i) {
    if (!m.byYear) { return m.text[i]; }
    if (notCovered(spec, d, i)) { return spec.notCovered.label; }
    var v = d ? d.v[i] : null;
    if (v === null || v === undefined) { return S.noData; }
    var text = formatValue(m.fmt, v);
    return metric.units === S.jobsUnits ? fill(S.valueJobs, { value: text }) : text;
  }

  function rankOf(m, d, i) {
    if (!m.byYear) { return { rank: m.rank[i], ranked: m.ranked }; }
    if (!d || d.v[i] === null) { return { rank: null, ranked: 0 }; }
    var above = 0, ranked = 0, mine = d.v[i];
    d.v.forEach(function (v) {
      if (v === null) { return; }
      ranked += 1;
      if (v > mine) { above += 1; }
    });
    return { rank: above + 1, ranked: ranked };
  }

  function classColor(spec, state, i) {
    var d = yearData(spec.metrics[state.metric], state);
    if (!d) { return spec.nodata; }
    if (notCovered(spec, d, i)) { return spec.notCovered.color; }
    var c = d.cls[i];
    return c < 0 ? spec.nodata : spec.classes[state.metric].colors[c];
  }

  function titleOf(metric, state) {
    return (metric.titles && metric.titles[String(state.year)]) || metric.title;
  }

  /* Series of place i over the years: the metric shown when it is annual, else jobs. */
  function seriesOf(spec, state, i) {
    if (!state.years.length) { return null; }
    var key = spec.metrics[state.metric] && spec.metrics[state.metric].byYear ? state.metric : "employment";
    var m = spec.metrics[key];
    if (!m || !m.byYear) { return null; }
    var points = state.years.map(function (y) {
      var d = m.byYear[String(y)];
      return { year: y, v: d ? d.v[i] : null };
    });
    return { key: key, fmt: m.fmt, points: points };
  }

  /* A small trend line built from numbers only (no text from data goes into the SVG). */
  function sparkline(series, year, width, height) {
    var pts = series.points.filter(function (p) { return p.v !== null && p.v !== undefined; });
    if (pts.length < 2) { return null; }
    var lo = Math.min.apply(null, pts.map(function (p) { return p.v; }));
    var hi = Math.max.apply(null, pts.map(function (p) { return p.v; }));
    var y0 = series.points[0].year, y1 = series.points[series.points.length - 1].year;
    function x(yr) { return 3 + (width - 6) * (y1 === y0 ? 0.5 : (yr - y0) / (y1 - y0)); }
    function y(v) { return height - 3 - (height - 6) * (hi === lo ? 0.5 : (v - lo) / (hi - lo)); }
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "vm-spark");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var line = document.createElementNS(SVG_NS, "polyline");
    line.setAttribute("points", pts.map(function (p) {
      return x(p.year).toFixed(1) + "," + y(p.v).toFixed(1);
    }).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#1f4e5f");
    line.setAttribute("stroke-width", "1.5");
    svg.appendChild(line);
    pts.forEach(function (p) {
      if (p.year !== year) { return; }
      var dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("cx", x(p.year).toFixed(1));
      dot.setAttribute("cy", y(p.v).toFixed(1));
      dot.setAttribute("r", "2.5");
      dot.setAttribute("fill", "#d95f02");
      dot.setAttribute("class", "vm-spark-now");
      svg.appendChild(dot);
    });
    return svg;
  }

  function styleFor(spec, state, i) {
    var d = yearData(spec.metrics[state.metric], state);
    var missing = !d || d.cls[i] < 0;
    return {
      fillColor: classColor(spec, state, i),
      fillOpacity: missing && !notCovered(spec, d, i) ? 0.55 : 0.82,
      color: spec.stroke,
      weight: spec.weight,
      opacity: 0.9,
      dashArray: missing ? (notCovered(spec, d, i) ? "1 4" : "3 3") : null
    };
  }

  function tooltipFor(spec, state, i) {
    var box = el("div", "vm-tip");
    box.appendChild(el("div", "vm-tip-name", spec.names[i]));
    var metric = state.metricsByKey[state.metric];
    var m = spec.metrics[state.metric];
    var d = yearData(m, state);
    box.appendChild(el("div", "vm-tip-metric", titleOf(metric, state)));
    box.appendChild(el("div", "vm-tip-value", m ? valueText(spec, m, d, metric, i) : S.noData));
    var r = m ? rankOf(m, d, i) : { rank: null };
    if (r.rank !== null && r.rank !== undefined) {
      box.appendChild(el("div", "vm-tip-rank",
        fill(S.rank, { rank: r.rank, ranked: r.ranked, places: spec.rankNoun })));
    }
    if (m && m.extra && m.extra[i]) {
      m.extra[i].forEach(function (line) { box.appendChild(el("div", "vm-tip-extra", line)); });
    }
    var series = seriesOf(spec, state, i);
    if (series) {
      var svg = sparkline(series, state.year, 130, 30);
      if (svg) {
        var trend = el("div", "vm-tip-trend");
        var first = series.points[0], last = series.points[series.points.length - 1];
        var what = series.key === "employment" ? S.jobs : metric.title.split(",")[0];
        trend.appendChild(el("div", "vm-tip-trend-label", what + " " + first.year + "\u2013" + last.year +
          ": " + formatValue(series.fmt, first.v) + " \u2192 " + formatValue(series.fmt, last.v)));
        svg.setAttribute("role", "img");  // the chart's numbers, for screen readers
        svg.setAttribute("aria-label", what + " by year: " + series.points.map(function (p) {
          return p.year + " " + formatValue(series.fmt, p.v);
        }).join(", "));
        trend.appendChild(svg);
        box.appendChild(trend);
      }
    }
    var flags = flagAt(d, i);
    flags.split("").forEach(function (code) {
      box.appendChild(el("div", "vm-tip-flag", "\u26A0 " + (spec.flagText[code] || code)));
    });
    return box;
  }

  function makeLayer(spec, state) {
    var layer = L.geoJSON(spec.geojson, {
      style: function (f) { return styleFor(spec, state, f.properties.i); },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(function () { return tooltipFor(spec, state, f.properties.i); },
                        { sticky: true, className: "vm-tooltip", direction: "top" });
        lyr.on("mouseover", function () { lyr.setStyle({ weight: spec.weight + 2, color: "#111" }); });
        lyr.on("mouseout", function () { layer.resetStyle(lyr); });
      }
    });
    layer.vmSpec = spec;
    state.layers.push(layer);
    return layer;
  }

  function makeOutline(geojson, options) {
    return L.geoJSON(geojson, {
      interactive: false,
      style: function () {
        return { fill: false, color: options.color || "#333", weight: options.weight || 1.6, opacity: 0.9 };
      }
    });
  }

  function renderLegend(div, state, map) {
    div.textContent = "";
    var metric = state.metricsByKey[state.metric];
    div.appendChild(el("div", "vm-legend-title", titleOf(metric, state)));
    if (metric.units) { div.appendChild(el("div", "vm-legend-units", metric.units)); }
    state.layers.forEach(function (layer) {
      if (!map.hasLayer(layer)) { return; }
      var spec = layer.vmSpec;
      var classes = spec.classes[state.metric];
      var section = el("div", "vm-legend-section");
      section.setAttribute("data-level", spec.level);
      section.appendChild(el("div", "vm-legend-level", spec.label));
      var m = yearData(spec.metrics[state.metric], state);
      var classified = m ? m.cls.some(function (c) { return c >= 0; }) : false;
      if (classes && classified) {
        classes.colors.forEach(function (color, k) {
          var row = el("div", "vm-legend-row");
          var sw = el("span", "vm-swatch");
          sw.style.background = color;
          row.appendChild(sw);
          row.appendChild(el("span", "vm-legend-label", classes.labels[k]));
          section.appendChild(row);
        });
      }
      var nNotCovered = 0;
      var nMissing = 0;
      if (m) {
        m.cls.forEach(function (c, i) {
          if (notCovered(spec, m, i)) { nNotCovered += 1; } else if (c < 0) { nMissing += 1; }
        });
      }
      if (nNotCovered > 0) {
        var nc = el("div", "vm-legend-row vm-legend-notcovered");
        var ncsw = el("span", "vm-swatch vm-swatch-notcovered");
        ncsw.style.background = spec.notCovered.color;
        nc.appendChild(ncsw);
        nc.appendChild(el("span", "vm-legend-label", spec.notCovered.label));
        section.appendChild(nc);
      }
      if (nNotCovered === 0 || nMissing > 0) {
        var nd = el("div", "vm-legend-row");
        var ndsw = el("span", "vm-swatch vm-swatch-nodata");
        ndsw.style.background = spec.nodata;
        nd.appendChild(ndsw);
        nd.appendChild(el("span", "vm-legend-label", S.noDataOrWithheld));
        section.appendChild(nd);
      }
      if (classes && classes.scheme) {
        section.appendChild(el("div", "vm-legend-note", fill(S.classes, { scheme: classes.scheme })));
      }
      div.appendChild(section);
    });
  }

  /* The data table of the level shown: every place with every metric, for the year shown. */
  function tableOf(state, map, options) {
    var columns = [{ label: S.place }];
    options.metrics.forEach(function (metric) {
      columns.push({ label: titleOf(metric, state), numeric: true });
    });
    columns.push({ label: S.notes });
    var rows = [], levels = [];
    state.layers.forEach(function (layer) {
      if (!map.hasLayer(layer)) { return; }
      var spec = layer.vmSpec;
      levels.push(spec.label);
      spec.names.forEach(function (name, i) {
        var row = [name], notes = [];
        options.metrics.forEach(function (metric) {
          var m = spec.metrics[metric.key];
          var d = yearData(m, state);
          if (!m) { row.push(null); return; }
          var value = m.byYear ? (d ? d.v[i] : null) : (m.rank[i] === null || m.rank[i] === undefined ? null : -m.rank[i]);
          row.push({ text: valueText(spec, m, d, metric, i), value: value });
          flagAt(d, i).split("").forEach(function (code) {
            var t = spec.flagText[code] || code;
            if (t && notes.indexOf(t) < 0) { notes.push(t); }
          });
        });
        row.push(notes.join("; "));
        rows.push(row);
      });
    });
    return {
      caption: options.title + ": " + levels.join(", ") + (state.years.length ? ", " + state.year : ""),
      note: S.tableNote,
      columns: columns,
      rows: rows
    };
  }

  function attach(map, options) {
    var state = options.state;
    S = options.strings || S;
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-legend leaflet-control");
      div.setAttribute("role", "region");  // a named landmark; it may scroll, so Tab reaches it
      div.setAttribute("aria-label", S.legend);
      div.setAttribute("tabindex", "0");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);

    var panel = L.control({ position: "topright" });
    panel.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-panel leaflet-control");
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", S.panelLabel);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.appendChild(el("div", "vm-title", options.title));
      if (options.synthetic) { div.appendChild(el("div", "vm-synthetic", options.synthetic)); }
      if (options.subtitle) { div.appendChild(el("div", "vm-subtitle", options.subtitle)); }
      if (state.years.length > 1) { div.appendChild(yearControl()); }
      var form = el("form", "vm-metrics");
      form.appendChild(el("div", "vm-metrics-title", S.show));
      options.metrics.forEach(function (metric) {
        var label = el("label", "vm-metric");
        var input = el("input");
        input.type = "radio";
        input.name = "vm-metric";
        input.value = metric.key;
        input.checked = metric.key === state.metric;
        input.addEventListener("change", function () { setMetric(metric.key); });
        label.appendChild(input);
        label.appendChild(el("span", null, " " + metric.title));
        if (metric.description) { label.title = metric.description; }
        form.appendChild(label);
      });
      div.appendChild(form);
      // what the hover hint (title) of the measure says, shown for the one chosen: keyboard and
      // touch users read it too
      var desc = el("div", "vm-metric-desc");
      div.appendChild(desc);
      return div;
    };
    panel.addTo(map);

    function syncDescription() {
      var box = panel.getContainer().querySelector(".vm-metric-desc");
      var meta = state.metricsByKey[state.metric];
      if (box) { box.textContent = meta && meta.description ? meta.description : ""; }
    }

    function yearControl() {
      var box = el("div", "vm-years");
      var head = el("div", "vm-metrics-title", S.year + " ");
      var label = el("span", "vm-year-label", String(state.year));
      head.appendChild(label);
      box.appendChild(head);
      var input = el("input", "vm-year-input");
      input.type = "range";
      input.min = "0";
      input.max = String(state.years.length - 1);
      input.step = "1";
      input.value = String(state.years.indexOf(state.year));
      input.setAttribute("aria-label", S.year);
      input.addEventListener("input", function () { setYear(state.years[Number(input.value)]); });
      box.appendChild(input);
      var ends = el("div", "vm-year-ends");
      ends.appendChild(el("span", null, String(state.years[0])));
      ends.appendChild(el("span", null, String(state.years[state.years.length - 1])));
      box.appendChild(ends);
      box.appendChild(el("div", "vm-year-note", ""));
      return box;
    }

    function syncYearControl() {
      var c = panel.getContainer();
      var box = c && c.querySelector(".vm-years");
      if (!box) { return; }
      var annual = state.layers.some(function (layer) {
        var m = layer.vmSpec.metrics[state.metric];
        return m && m.byYear;
      });
      box.querySelector(".vm-year-label").textContent = String(state.year);
      var input = box.querySelector("input");
      input.value = String(state.years.indexOf(state.year));
      input.setAttribute("aria-valuetext", String(state.year));  // read as the year, not its index
      input.disabled = !annual;
      box.querySelector(".vm-year-note").textContent = annual ? "" : S.spanNote;
      var radios = c.querySelectorAll("input[name=vm-metric]");
      Array.prototype.forEach.call(radios, function (r) {
        var meta = state.metricsByKey[r.value];
        var span = r.parentNode.querySelector("span");
        if (span && meta) { span.textContent = " " + titleOf(meta, state); }
      });
    }

    var source = L.control({ position: "bottomleft" });
    source.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-source leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      var details = el("details");
      details.appendChild(el("summary", null, options.sourceSummary));
      options.sourceLines.forEach(function (line) { details.appendChild(el("div", "vm-source-line", line)); });
      div.appendChild(details);
      if (options.synthetic) { div.appendChild(el("div", "vm-synthetic", options.synthetic)); }
      return div;
    };
    source.addTo(map);

    function refresh() {
      state.layers.forEach(function (layer) { layer.setStyle(function (f) { return styleFor(layer.vmSpec, state, f.properties.i); }); });
      renderLegend(legend.getContainer(), state, map);
      if (global.valleymapsA11y) { global.valleymapsA11y.refreshNames(map); }  // names give the new values
    }
    function setMetric(key) {
      if (!state.metricsByKey[key]) { return; }
      state.metric = key;
      var radios = panel.getContainer().querySelectorAll("input[name=vm-metric]");
      Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === key; });
      refresh();
      syncYearControl();
      syncDescription();
      map.getContainer().setAttribute("data-metric", key);
    }
    function setYear(year) {
      year = Number(year);
      if (state.years.indexOf(year) < 0) { return; }
      state.year = year;
      refresh();
      syncYearControl();
      map.getContainer().setAttribute("data-year", String(year));
    }
    map.on("baselayerchange overlayadd overlayremove", function () {
      renderLegend(legend.getContainer(), state, map);
      if (options.outlines) { options.outlines.forEach(function (o) { if (map.hasLayer(o)) { o.bringToFront(); } }); }
    });
    map.getContainer().setAttribute("data-metric", state.metric);
    if (state.years.length) { map.getContainer().setAttribute("data-year", String(state.year)); }
    if (global.valleymapsA11y) { global.valleymapsA11y.setTable(map, function () { return tableOf(state, map, options); }); }
    global.valleymapsSetMetric = setMetric;
    global.valleymapsSetYear = setYear;
    syncYearControl();
    syncDescription();
    renderLegend(legend.getContainer(), state, map);
  }

  function newState(metrics, initial, years, year) {
    var byKey = {};
    metrics.forEach(function (m) { byKey[m.key] = m; });
    return { metric: initial, metricsByKey: byKey, layers: [], years: years || [], year: year };
  }

  global.valleymaps = { makeLayer: makeLayer, makeOutline: makeOutline, attach: attach, newState: newState };
})(window);
