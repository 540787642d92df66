/* valleymaps site suitability page: one layer per target (suitability image + candidate sites),
 * a colour bar, an info panel and popups. All text from data files is set with textContent. */
(function (global) {
  "use strict";

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  /* The page's words, in its language (spec.strings); this script has none. */
  var S = {};

  function fillIn(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  function popupFor(target, site) {
    var box = el("div", "vm-site-popup");
    box.appendChild(el("div", "vm-site-title", fillIn(S.siteTitle, { rank: site.rank, target: target.title })));
    box.appendChild(el("div", "vm-site-score", fillIn(S.score, { score: site.score })));
    var facts = el("ul", "vm-site-facts");
    facts.appendChild(el("li", null, fillIn(S.area, { acres: site.acres })));
    if (site.place) { facts.appendChild(el("li", null, fillIn(S.where, { place: site.place }))); }
    if (site.project) { facts.appendChild(el("li", "vm-site-project", fillIn(S.nearestProject, { project: site.project }))); }
    if (site.stability) { facts.appendChild(el("li", "vm-site-stability", site.stability)); }
    box.appendChild(facts);
    var table = el("table", "vm-site-factors");
    var head = el("tr");
    [S.factor, S.weight, S.value, S.scoreHead, S.points].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    site.factors.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", null, f.name));
      tr.appendChild(el("td", "num", f.weight));
      tr.appendChild(el("td", "num", f.value));
      tr.appendChild(el("td", "num", f.score));
      tr.appendChild(el("td", "num", f.points));
      table.appendChild(tr);
    });
    var total = el("tr", "vm-site-total");
    total.appendChild(el("td", null, S.suitability));
    total.appendChild(el("td", "num", "100"));
    total.appendChild(el("td"));
    total.appendChild(el("td"));
    total.appendChild(el("td", "num", site.score));
    table.appendChild(total);
    box.appendChild(table);
    box.appendChild(el("div", "vm-site-note", S.pointsNote));
    var sourced = target.factors.filter(function (f) { return f.source; });
    if (sourced.length) {
      var sources = el("ul", "vm-site-sources");
      sourced.forEach(function (f) { sources.appendChild(el("li", null, f.name + ": " + f.source)); });
      box.appendChild(el("div", "vm-site-sources-title", S.data));
      box.appendChild(sources);
    }
    return box;
  }

  function makeTarget(target) {
    var group = L.layerGroup();
    var image = L.imageOverlay(target.image, target.bounds,
      { opacity: 0.82, className: "vm-suit-image", interactive: false });
    image.addTo(group);
    var sites = L.geoJSON(target.sites, {
      style: function () {
        return { color: target.outline, weight: 2.5, opacity: 1, fill: true, fillOpacity: 0.08,
                 fillColor: target.outline, className: "vm-site" };
      },
      onEachFeature: function (feature, layer) {
        var site = target.siteInfo[feature.properties.i];
        // keep popups clear of the layer list (left) and the info panel (right)
        layer.bindPopup(function () { return popupFor(target, site); },
                        { maxWidth: 420, className: "vm-popup", autoPanPaddingTopLeft: [20, 20],
                          autoPanPaddingBottomRight: [360, 20] });
        layer.bindTooltip(String(site.rank), { permanent: true, direction: "right", offset: [6, 0],
                                               className: "vm-site-label vm-site-label-" + target.index });
        layer.on("mouseover", function () { layer.setStyle({ weight: 4 }); });
        layer.on("mouseout", function () { layer.setStyle({ weight: 2.5 }); });
      }
    });
    sites.addTo(group);
    group.vmTarget = target;
    group.vmImage = image;
    group.vmSites = sites;
    return group;
  }

  function colorBar(spec) {
    var box = el("div", "vm-colorbar");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", S.legend);
    box.appendChild(el("div", "vm-colorbar-title", spec.legend.title));
    var bar = el("div", "vm-colorbar-bar");
    bar.style.background = "linear-gradient(to right, " + spec.legend.colors.join(", ") + ")";
    box.appendChild(bar);
    var ticks = el("div", "vm-colorbar-ticks");
    spec.legend.ticks.forEach(function (t) { ticks.appendChild(el("span", null, t)); });
    box.appendChild(ticks);
    var rows = el("div", "vm-colorbar-keys");
    var excluded = el("div", "vm-key");
    excluded.appendChild(el("span", "vm-key-swatch vm-key-excluded"));
    excluded.appendChild(el("span", null, spec.legend.excluded));
    rows.appendChild(excluded);
    var site = el("div", "vm-key");
    site.appendChild(el("span", "vm-key-swatch vm-key-site"));
    site.appendChild(el("span", null, spec.legend.site));
    rows.appendChild(site);
    box.appendChild(rows);
    return box;
  }

  function renderInfo(div, spec, target) {
    div.textContent = "";
    div.appendChild(el("h1", "vm-title", spec.title));
    if (spec.subtitle) { div.appendChild(el("div", "vm-subtitle", spec.subtitle)); }
    if (spec.synthetic) { div.appendChild(el("div", "vm-synthetic", spec.synthetic)); }
    if (!target) {
      div.appendChild(el("p", "vm-hint", S.turnOn));
      return;
    }
    var head = el("div", "vm-target-head");
    var swatch = el("span", "vm-target-swatch");
    swatch.style.borderColor = target.outline;
    head.appendChild(swatch);
    head.appendChild(el("span", "vm-target-title", target.title));
    div.appendChild(head);
    if (target.description) { div.appendChild(el("p", "vm-target-desc", target.description)); }
    var list = el("ul", "vm-factor-list");
    target.factors.forEach(function (f) {
      list.appendChild(el("li", null, f.weight + "% \u00b7 " + f.name));
    });
    div.appendChild(list);
    div.appendChild(el("p", "vm-target-sites", target.sitesText));
    target.notes.forEach(function (n) { div.appendChild(el("p", "vm-note", n)); });
    var src = el("div", "vm-sources");
    spec.sourceLines.concat(target.sourceLines).forEach(function (line) { src.appendChild(el("div", null, line)); });
    div.appendChild(src);
  }

  /* The data table: the candidate sites of the targets switched on, with their scores. */
  function tableOf(map, groups) {
    var rows = [];
    groups.forEach(function (g) {
      if (!map.hasLayer(g)) { return; }
      var t = g.vmTarget;
      (t.siteInfo || []).forEach(function (site) {
        rows.push([
          { text: fillIn(S.siteTitle, { rank: site.rank, target: t.title }), value: t.title + " " + (1000 + site.rank) },
          { text: String(site.rank), value: site.rank },
          { text: site.score + " / 100", value: parseFloat(site.score) },
          { text: site.acres, value: parseFloat(String(site.acres).replace(/,/g, "")) },
          site.place || "", site.project || ""
        ]);
      });
    });
    return {
      caption: S.tableCaption,
      note: S.tableNote,
      columns: [{ label: S.colSite }, { label: S.colRank, numeric: true }, { label: S.suitability, numeric: true },
                { label: S.colAcres, numeric: true }, { label: S.colWhere }, { label: S.colProject }],
      rows: rows
    };
  }

  function attach(map, spec) {
    S = spec.strings || S;
    map.fitBounds(spec.bounds, { animate: false, padding: [10, 10] });
    L.tileLayer(spec.tiles.url, spec.tiles.options).addTo(map);
    var groups = spec.targets.map(function (t, i) { t.index = i; return makeTarget(t); });
    var overlays = {};
    groups.forEach(function (g) { overlays[g.vmTarget.title] = g; });
    if (spec.outlines) {
      var outline = L.geoJSON(spec.outlines, { interactive: false, style: function () {
        return { fill: false, color: "#333333", weight: 1.4, opacity: 0.9 };
      } });
      outline.addTo(map);
      overlays[spec.outlinesLabel] = outline;
    }
    var current = null;
    var info = L.control({ position: "topright" });
    info.onAdd = function () {
      var div = el("div", "vm-panel vm-suit-panel");
      div.setAttribute("tabindex", "0");  // it may scroll: reachable with Tab, scrolled with arrows
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", S.panelLabel);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    info.addTo(map);
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () { return colorBar(spec); };
    legend.addTo(map);

    function show(group) {
      current = group ? group.vmTarget : null;
      renderInfo(info.getContainer(), spec, current);
    }
    map.on("overlayadd", function (e) { if (e.layer.vmTarget) { show(e.layer); } });
    map.on("overlayremove", function (e) {
      if (e.layer.vmTarget && current === e.layer.vmTarget) {
        var other = groups.filter(function (g) { return map.hasLayer(g); });
        show(other.length ? other[other.length - 1] : null);
      }
    });
    var wanted = (global.location && global.location.hash || "").replace(/^#/, "");
    var first = groups.filter(function (g) { return g.vmTarget.key === wanted; })[0] ||
      groups.filter(function (g) { return g.vmTarget.key === spec.initial; })[0] || groups[0];
    if (first) { first.addTo(map); }
    L.control.layers(null, overlays, { collapsed: false, position: "bottomleft" }).addTo(map);
    show(first);
    if (global.valleymapsA11y) { global.valleymapsA11y.setTable(map, function () { return tableOf(map, groups); }); }
    map.vmSuitability = { groups: groups, show: show };
    return map.vmSuitability;
  }

  global.valleymapsSuitability = { attach: attach };
})(window);
