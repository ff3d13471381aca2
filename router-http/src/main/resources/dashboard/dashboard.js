// Riata dashboard: renders the cluster rollups of /ws/dashboard (schema: docs/dashboard-feed.md).
// Everything shown is built with textContent: method names and reasons come from clients.
(function () {
  'use strict';
  var SUPPORTED_VERSION = 1;
  var RATE_WINDOW = 6;          // ticks averaged for requests/s
  var DECISIONS_SHOWN = 12;
  var history = {};             // chain/provider -> [{requests, ms}]
  var decisions = {};           // chain -> newest decisions first
  var lastAt = 0;
  var socket = null;
  var retryMs = 500;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function fmt(v, digits) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
  }

  function setStatus(text, cls) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  function rate(key, requests, ms) {
    var h = history[key] || (history[key] = []);
    h.push({ requests: requests, ms: ms });
    if (h.length > RATE_WINDOW) { h.shift(); }
    var r = 0, t = 0;
    h.forEach(function (x) { r += x.requests; t += x.ms; });
    return t > 0 ? r * 1000 / t : 0;
  }

  function stateCell(p) {
    var td = el('td', null, 'state text');
    td.appendChild(el('span', p.breaker.replace('_', '-'), p.breaker + '-breaker'));
    if (p.drained) { td.appendChild(el('span', 'drained', 'flag')); }
    if (p.rateLimited) { td.appendChild(el('span', 'rate-limited', 'flag')); }
    if (p.localOpenNodes > 0) { td.appendChild(el('span', 'tripped on ' + p.localOpenNodes, 'flag')); }
    return td;
  }

  function renderChain(chain, intervalMs) {
    var section = el('section', null, 'chain');
    var title = el('h2', chain.chain);
    var rps = rate(chain.chain, chain.requests, intervalMs);
    title.appendChild(el('small', 'head ' + (chain.head >= 0 ? chain.head : 'unknown') + ' · ' + fmt(rps, 1)
        + ' req/s · ' + chain.failovers + ' failovers · ' + chain.unanswered + ' unanswered this tick'));
    section.appendChild(title);
    var table = el('table');
    var head = el('tr');
    ['provider', 'state', 'req/s', 'success', 'p50 ms', 'p95 ms', 'p99 ms', 'head', 'lag', 'errors (tick)']
        .forEach(function (h, i) { head.appendChild(el('th', h, i < 2 ? 'text' : '')); });
    table.appendChild(head);
    chain.providers.forEach(function (p) {
      var tr = el('tr');
      tr.appendChild(el('td', p.id));
      tr.appendChild(p.id === 'riata' ? el('td', 'answered by Riata', 'text') : stateCell(p));
      tr.appendChild(el('td', fmt(rate(chain.chain + '/' + p.id, p.requests, intervalMs), 1)));
      var sr = el('td', p.successRate === null ? '–' : fmt(p.successRate * 100, 1) + '%');
      if (p.successRate !== null && p.successRate < 0.95) { sr.className = 'bad'; }
      tr.appendChild(sr);
      tr.appendChild(el('td', fmt(p.latencyMs.p50, 2)));
      tr.appendChild(el('td', fmt(p.latencyMs.p95, 2)));
      tr.appendChild(el('td', fmt(p.latencyMs.p99, 2)));
      tr.appendChild(el('td', p.head >= 0 ? p.head : '–'));
      tr.appendChild(el('td', p.lag >= 0 ? p.lag : '–', p.lag > 2 ? 'bad' : ''));
      var o = p.outcomes;
      var errors = o.rate_limited + o.timeout + o.retriable;
      tr.appendChild(el('td', errors === 0 ? '0' : errors + ' (' + o.timeout + ' timeout, ' + o.rate_limited
          + ' throttled, ' + o.retriable + ' other)', errors > 0 ? 'bad' : ''));
      table.appendChild(tr);
    });
    section.appendChild(table);
    var kept = (chain.decisions || []).slice().sort(function (a, b) { return b.at - a.at; })
        .concat(decisions[chain.chain] || []).slice(0, DECISIONS_SHOWN);
    decisions[chain.chain] = kept;
    if (kept.length > 0) {
      var list = el('table', null, 'decisions');
      kept.forEach(function (d) {
        var tr = el('tr');
        tr.appendChild(el('td', new Date(d.at).toLocaleTimeString(), 'text'));
        tr.appendChild(el('td', d.method, 'text'));
        tr.appendChild(el('td', d.provider, 'text'));
        tr.appendChild(el('td', d.outcome, d.outcome === 'success' || d.outcome === 'local' ? 'text' : 'text bad'));
        tr.appendChild(el('td', fmt(d.latencyMs, 2) + ' ms'));
        tr.appendChild(el('td', d.reason, 'text'));
        list.appendChild(tr);
      });
      section.appendChild(list);
    }
    return section;
  }

  function render(rollup) {
    var cluster = document.getElementById('cluster');
    var up = rollup.members.filter(function (m) { return m.status === 'up'; }).length;
    cluster.textContent = rollup.members.length + ' members (' + up + ' up) · aggregator ' + rollup.aggregator.node
        + ' · tick ' + rollup.seq;
    var main = document.getElementById('chains');
    var next = document.createDocumentFragment();
    rollup.chains.forEach(function (c) { next.appendChild(renderChain(c, rollup.intervalMs)); });
    main.replaceChildren(next);
  }

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/dashboard';
    socket = new WebSocket(url);
    socket.onopen = function () { retryMs = 500; setStatus('live', 'live'); };
    socket.onmessage = function (event) {
      var rollup;
      try { rollup = JSON.parse(event.data); } catch (e) { return; }
      if (rollup.version !== SUPPORTED_VERSION || rollup.type !== 'rollup') { return; }
      lastAt = Date.now();
      setStatus('live', 'live');
      render(rollup);
    };
    socket.onclose = function () {
      // Keep the last state on screen; reconnect with back-off.
      setStatus('reconnecting', 'closed');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  // While the aggregator moves no rollup comes: the page keeps its last state and says so.
  setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN && lastAt > 0 && Date.now() - lastAt > 2000) {
      setStatus('stale ' + Math.round((Date.now() - lastAt) / 1000) + ' s', 'stale');
    }
  }, 1000);

  connect();
}());
