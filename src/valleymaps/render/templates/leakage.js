/* The leakage page: bar chart and heat map drawn from the page's JSON payload.
   Every text from data is set with textContent (never innerHTML). */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("leakage-data").textContent);
  var tip = document.getElementById("leakage-tip");
  /* the page's words, in its language (this script has none) */
  var S = JSON.parse(document.getElementById("leakage-strings").textContent);

  function fillIn(message, fields) {
    return String(message).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : all;
    });
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function usd(v) {
    if (v === null || v === undefined || !isFinite(v)) { return "\u2014"; }
    if (S.compactUsd && Math.abs(v) >= 1e6) {  // the page language's short forms (es-US: $856 M)
      return new Intl.NumberFormat(S.locale, {
        style: "currency", currency: "USD", notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1
      }).format(v);
    }
    if (Math.abs(v) >= 1e9) { return fillIn(S.usdB, { value: (v / 1e9).toFixed(2) }); }
    if (Math.abs(v) >= 1e6) {
      return fillIn(S.usdM, { value: (v / 1e6).toLocaleString(S.locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) });
    }
    return "$" + Math.round(v).toLocaleString(S.locale);
  }

  function pct(v) {
    return (v === null || v === undefined) ? "\u2014" : Math.round(v * 100) + "%";
  }

  function line(parent, tag, text, cls) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (cls) { node.className = cls; }
    parent.appendChild(node);
    return node;
  }

  function showTip(target, evt, fill) {
    tip.replaceChildren();
    fill(tip);
    tip.hidden = false;
    var box = target.getBoundingClientRect();
    var x = evt && evt.clientX ? evt.clientX : box.right;
    var y = evt && evt.clientY ? evt.clientY : box.top;
    tip.style.left = Math.min(x + 14, window.innerWidth - 370) + "px";
    tip.style.top = (y + 14) + "px";
  }

  function hideTip() { tip.hidden = true; }

  function targetTip(t) {
    return function (box) {
      line(box, "div", t.rank + ". " + t.description, "tip-title");
      line(box, "div", fillIn(S.marketSupport, { usd: usd(t.market_support_usd), dollars: data.dollars }), "tip-value");
      line(box, "div", fillIn(S.fromWhere, { us: pct(t.share_us), abroad: pct(t.share_abroad) }), "tip-where");
      line(box, "div", S.whatBuys, "tip-buyers-title");
      var list = line(box, "ul", "", "tip-buyers");
      t.buyers.slice(0, 5).forEach(function (b) {
        line(list, "li", b.cluster + ": " + pct(b.share) + " (" + usd(b.usd) + ")");
      });
      if (t.flags) { line(box, "div", fillIn(S.flags, { flags: t.flags }), "tip-flags"); }
    };
  }

  function hook(node, fill) {
    node.setAttribute("tabindex", "0");
    node.addEventListener("mousemove", function (evt) { showTip(node, evt, fill); });
    node.addEventListener("mouseenter", function (evt) { showTip(node, evt, fill); });
    node.addEventListener("focus", function () { showTip(node, null, fill); });
    node.addEventListener("mouseleave", hideTip);
    node.addEventListener("blur", hideTip);
  }

  function drawBars() {
    var host = document.getElementById("bar-chart");
    var rows = data.targets;
    if (!rows.length) { line(host, "p", S.noTargets); return; }
    var labelW = 330, barW = 560, rowH = 22, top = 24;
    var width = labelW + barW + 90, height = top + rows.length * rowH + 10;
    var svg = el("svg", { width: "100%", viewBox: "0 0 " + width + " " + height, style: "max-width:" + width + "px" }, host);
    var max = Math.max.apply(null, rows.map(function (r) { return r.market_support_usd || 0; })) || 1;
    var legend = el("g", { transform: "translate(" + labelW + ",4)" }, svg);
    el("rect", { x: 0, y: 0, width: 12, height: 12, fill: "#1f4e5f" }, legend);
    el("text", { x: 16, y: 11 }, legend).textContent = S.restOfUs;
    el("rect", { x: 130, y: 0, width: 12, height: 12, fill: "#e0a03a" }, legend);
    el("text", { x: 146, y: 11 }, legend).textContent = S.abroad;
    rows.forEach(function (r, i) {
      var y = top + i * rowH;
      var label = el("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", "class": "bar-label" }, svg);
      var name = r.description.length > 46 ? r.description.slice(0, 45) + "\u2026" : r.description;
      label.textContent = r.rank + ". " + name;
      var g = el("g", { "class": "bar" }, svg);
      g.setAttribute("aria-label", r.rank + ". " + r.description + ": " + usd(r.market_support_usd));
      var us = r.leakage_us_usd || 0, ab = r.leakage_abroad_usd || 0;
      var wUs = barW * us / max, wAb = barW * ab / max;
      el("rect", { x: 0, y: y, width: width, height: rowH, fill: "transparent", "class": "bar-hit" }, g);
      el("rect", { x: labelW, y: y + 3, width: Math.max(wUs, 0), height: rowH - 6, fill: "#1f4e5f", "class": "bar-us" }, g);
      el("rect", { x: labelW + wUs, y: y + 3, width: Math.max(wAb, 0), height: rowH - 6, fill: "#e0a03a", "class": "bar-abroad" }, g);
      el("text", { x: labelW + wUs + wAb + 4, y: y + 15, "class": "bar-value" }, g).textContent = usd(r.market_support_usd);
      hook(g, targetTip(r));
    });
  }

  function drawHeat() {
    var host = document.getElementById("heat-map");
    var heat = data.heat;
    if (!heat.clusters.length || !heat.commodities.length) { line(host, "p", S.noPurchases); return; }
    var labelW = 220, cell = 34, top = 170;
    var width = labelW + heat.commodities.length * cell + 130;
    var height = top + heat.clusters.length * cell + 10;
    var svg = el("svg", { width: "100%", viewBox: "0 0 " + width + " " + height, style: "max-width:" + width + "px" }, host);
    var max = 0;
    heat.values.forEach(function (row) { row.forEach(function (v) { max = Math.max(max, v || 0); }); });
    max = max || 1;
    heat.descriptions.forEach(function (d, j) {
      var x = labelW + j * cell + cell / 2;
      var t = el("text", { x: x, y: top - 6, transform: "rotate(-50 " + x + " " + (top - 6) + ")", "class": "heat-col" }, svg);
      t.textContent = d.length > 28 ? d.slice(0, 27) + "\u2026" : d;
    });
    heat.clusters.forEach(function (c, i) {
      var y = top + i * cell;
      el("text", { x: labelW - 6, y: y + cell / 2 + 4, "text-anchor": "end", "class": "heat-row" }, svg).textContent = c;
      heat.values[i].forEach(function (v, j) {
        var share = Math.sqrt((v || 0) / max);
        var light = Math.round(97 - 70 * share);
        var rect = el("rect", { x: labelW + j * cell, y: y, width: cell - 2, height: cell - 2,
          fill: "hsl(196, 50%, " + light + "%)", "class": "heat-cell" }, svg);
        hook(rect, function (box) {
          line(box, "div", heat.descriptions[j], "tip-title");
          line(box, "div", fillIn(S.boughtBy, { cluster: c, usd: usd(v), dollars: data.dollars }), "tip-value");
        });
      });
    });
  }

  drawBars();
  drawHeat();
}());
