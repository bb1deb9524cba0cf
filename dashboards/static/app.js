// xfwatch views: draws every chart a page carries. Each chart's ECharts
// option was built on the server with go-echarts and travels as JSON in the
// element's data-chart attribute, with tooltip explanations (tips) and
// drill-down links beside it. No inline script, no eval.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') {
    return;
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  // The key a data item is explained and linked by: its name, or "x,y" on
  // a heatmap.
  function itemKey(p) {
    if (p.seriesType === 'heatmap' && Array.isArray(p.value)) {
      return p.value[0] + ',' + p.value[1];
    }
    return p.name;
  }

  // Named formatters: the option says "xf:tip" where a function is needed.
  function formatter(name, spec) {
    if (name === 'xf:tip') {
      return function (p) {
        var tip = spec.tips && spec.tips[itemKey(p)];
        if (tip) {
          return escapeHTML(tip).replace(/\n/g, '<br>');
        }
        var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        return escapeHTML(p.name || '') + (v === undefined || isNaN(v) ? '：无数据' : '：' + escapeHTML(v));
      };
    }
    return name;
  }

  function resolve(node, spec) {
    if (Array.isArray(node)) {
      return node.map(function (x) { return resolve(x, spec); });
    }
    if (node && typeof node === 'object') {
      var out = {};
      Object.keys(node).forEach(function (k) {
        var v = node[k];
        out[k] = (typeof v === 'string' && v.indexOf('xf:') === 0) ? formatter(v, spec) : resolve(v, spec);
      });
      return out;
    }
    return node;
  }

  var charts = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var spec = JSON.parse(el.getAttribute('data-chart'));
    el.style.height = (spec.height || 360) + 'px';
    var chart = echarts.init(el, null, {renderer: 'canvas'});
    chart.setOption(resolve(spec.option, spec));
    if (spec.links) {
      chart.on('click', function (p) {
        var href = spec.links[itemKey(p)];
        if (href) {
          window.location.href = href;
        }
      });
    }
    el.setAttribute('data-drawn', 'true');
    charts.push(chart);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
