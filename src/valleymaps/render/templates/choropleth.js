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

  /* A value the source does not count at all (flag C): its own colour and legend entry. */
  function notCovered(spec, m, i) {
    return !!(spec.notCovered && m && m.cls[i] < 0 &&
              (m.flags[i] || "").indexOf(spec.notCovered.flag) >= 0);
  }

  function classColor(spec, metric, i) {
    var m = spec.metrics[metric];
    if (!m) { return spec.nodata; }
    if (notCovered(spec, m, i)) { return spec.notCovered.color; }
    var c = m.cls[i];
    return c < 0 ? spec.nodata : spec.classes[metric].colors[c];
  }

  function styleFor(spec, state, i) {
    var m = spec.metrics[state.metric];
    var missing = !m || m.cls[i] < 0;
    return {
      fillColor: classColor(spec, state.metric, i),
      fillOpacity: missing && !notCovered(spec, m, i) ? 0.55 : 0.82,
      color: spec.stroke,
      weight: spec.weight,
      opacity: 0.9,
      dashArray: missing ? (notCovered(spec, m, i) ? "1 4" : "3 3") : null
    };
  }

  function tooltipFor(spec, state, i) {
    var box = el("div", "vm-tip");
    box.appendChild(el("div", "vm-tip-name", spec.names[i]));
    var metric = state.metricsByKey[state.metric];
    var m = spec.metrics[state.metric];
    box.appendChild(el("div", "vm-tip-metric", metric.title));
    box.appendChild(el("div", "vm-tip-value", m ? m.text[i] : "no data"));
    if (m && m.rank[i] !== null) {
      box.appendChild(el("div", "vm-tip-rank",
        "Rank " + m.rank[i] + " of " + m.ranked + " " + spec.rankNoun));
    }
    if (m && m.extra && m.extra[i]) {
      m.extra[i].forEach(function (line) { box.appendChild(el("div", "vm-tip-extra", line)); });
    }
    var flags = (m && m.flags[i]) || "";
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
    div.appendChild(el("div", "vm-legend-title", metric.title));
    if (metric.units) { div.appendChild(el("div", "vm-legend-units", metric.units)); }
    state.layers.forEach(function (layer) {
      if (!map.hasLayer(layer)) { return; }
      var spec = layer.vmSpec;
      var classes = spec.classes[state.metric];
      var section = el("div", "vm-legend-section");
      section.setAttribute("data-level", spec.level);
      section.appendChild(el("div", "vm-legend-level", spec.label));
      var m = spec.metrics[state.metric];
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
        nd.appendChild(el("span", "vm-legend-label", "No data or withheld"));
        section.appendChild(nd);
      }
      if (classes && classes.scheme) {
        section.appendChild(el("div", "vm-legend-note", "Classes: " + classes.scheme));
      }
      div.appendChild(section);
    });
  }

  function attach(map, options) {
    var state = options.state;
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-legend leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);

    var panel = L.control({ position: "topright" });
    panel.onAdd = function () {
      var div = L.DomUtil.create("div", "vm-panel leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.appendChild(el("div", "vm-title", options.title));
      if (options.synthetic) { div.appendChild(el("div", "vm-synthetic", options.synthetic)); }
      if (options.subtitle) { div.appendChild(el("div", "vm-subtitle", options.subtitle)); }
      var form = el("form", "vm-metrics");
      form.appendChild(el("div", "vm-metrics-title", "Show"));
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
      return div;
    };
    panel.addTo(map);

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
    }
    function setMetric(key) {
      if (!state.metricsByKey[key]) { return; }
      state.metric = key;
      var radios = panel.getContainer().querySelectorAll("input[name=vm-metric]");
      Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === key; });
      refresh();
      map.getContainer().setAttribute("data-metric", key);
    }
    map.on("baselayerchange overlayadd overlayremove", function () {
      renderLegend(legend.getContainer(), state, map);
      if (options.outlines) { options.outlines.forEach(function (o) { if (map.hasLayer(o)) { o.bringToFront(); } }); }
    });
    map.getContainer().setAttribute("data-metric", state.metric);
    global.valleymapsSetMetric = setMetric;
    renderLegend(legend.getContainer(), state, map);
  }

  function newState(metrics, initial) {
    var byKey = {};
    metrics.forEach(function (m) { byKey[m.key] = m; });
    return { metric: initial, metricsByKey: byKey, layers: [] };
  }

  global.valleymaps = { makeLayer: makeLayer, makeOutline: makeOutline, attach: attach, newState: newState };
})(window);
