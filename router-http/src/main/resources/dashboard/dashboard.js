// Riata dashboard: renders the cluster rollups of /ws/dashboard (schema: docs/dashboard-feed.md).
// Everything shown is built with textContent: method names and reasons come from clients.
(function () {
  'use strict';
  var SUPPORTED_VERSION = 1;
  var RATE_WINDOW = 6;          // ticks averaged for requests/s
  var DECISIONS_SHOWN = 12;
  var LAGGING_BLOCKS = 2;       // a provider this many blocks behind the chain head is shown as lagging
  var SHARE_TICKS = 120;        // traffic share chart: the last minute at 500 ms ticks
  var METHOD_ROWS = 12;         // per-method latency rows per chain, busiest first
  var RETRY_FIGURES = [         // a chain's retry counts in the feed, shown per second
    { field: 'hedges', label: 'hedges' },
    { field: 'hedgesWon', label: 'hedges won' },
    { field: 'retries', label: 'retries' },
    { field: 'retriesDenied', label: 'denied by retry budget' }];
  var PALETTE = ['#2f6fde', '#e07b1a', '#2a9d5b', '#b4379c', '#7a5cd6', '#c9a400', '#1aa3b5', '#8c564b'];
  var SVG = 'http://www.w3.org/2000/svg';
  var shares = {};              // chain -> [{providerId: requests}] oldest first
  var methodRows = {};          // chain -> rows of the last tick that had traffic
  var history = {};             // chain/provider -> [{requests, ms}]
  var decisions = {};           // chain -> newest decisions first
  var lastAt = 0;
  var socket = null;
  var retryMs = 500;
  var TOKEN_KEY = 'riata.dashboard.token';
  var FEED_PROTOCOL = 'riata-dashboard';
  var TOKEN_PROTOCOL_PREFIX = 'riata-token.';
  var token = null;

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
    if (p.rogue) { td.appendChild(el('span', 'rogue head', 'flag warn')); }
    if (p.finalizedWentBack) { td.appendChild(el('span', 'finality went back', 'flag warn')); }
    if (p.lag > LAGGING_BLOCKS) { td.appendChild(el('span', 'lagging', 'flag warn')); }
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
    if (chain.standInNodes > 0) {
      // The chain's pool has not published for a while: nodes route on heads they probe themselves.
      title.appendChild(el('span', 'pool silent · heads probed by ' + chain.standInNodes
          + (chain.standInNodes === 1 ? ' node' : ' nodes'), 'flag warn stand-in'));
    }
    section.appendChild(title);
    section.appendChild(retryLine(chain, intervalMs));
    var table = el('table', null, 'providers');
    var head = el('tr');
    ['provider', 'state', 'req/s', 'success', 'p50 ms', 'p95 ms', 'p99 ms', 'head', 'lag', 'errors (tick)']
        .forEach(function (h, i) { head.appendChild(el('th', h, i < 2 ? 'text' : '')); });
    table.appendChild(head);
    chain.providers.forEach(function (p) {
      var tr = el('tr', null, 'provider');
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
      tr.appendChild(el('td', p.lag >= 0 ? p.lag : '–', p.lag > LAGGING_BLOCKS ? 'bad' : ''));
      var o = p.outcomes;
      var errors = o.rate_limited + o.timeout + o.retriable;
      tr.appendChild(el('td', errors === 0 ? '0' : errors + ' (' + o.timeout + ' timeout, ' + o.rate_limited
          + ' throttled, ' + o.retriable + ' other)', errors > 0 ? 'bad' : ''));
      table.appendChild(tr);
    });
    section.appendChild(table);
    section.appendChild(shareChart(chain));
    section.appendChild(methodTable(chain));
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
        var hedge = el('td', null, 'hedge text');
        if (d.hedged) {
          // hedge won: the provider asked second answered first; lost: the first attempt decided
          hedge.appendChild(el('span', d.hedgeWon ? 'hedge won' : 'hedge lost',
              d.hedgeWon ? 'flag hedge-won' : 'flag'));
        }
        tr.appendChild(hedge);
        tr.appendChild(el('td', d.outcome, d.outcome === 'success' || d.outcome === 'local' ? 'text' : 'text bad'));
        tr.appendChild(el('td', fmt(d.latencyMs, 2) + ' ms'));
        tr.appendChild(el('td', d.reason, 'text'));
        list.appendChild(tr);
      });
      section.appendChild(list);
    }
    return section;
  }

  // Hedges and retries the chain sent, and those its retry budget refused, per second like req/s.
  function retryLine(chain, intervalMs) {
    var line = el('div', null, 'retries');
    RETRY_FIGURES.forEach(function (f) {
      var perSecond = rate(chain.chain + '#' + f.field, chain[f.field] || 0, intervalMs);
      var item = el('span', f.label + ' ' + fmt(perSecond, 1) + '/s',
          f.field === 'retriesDenied' && perSecond > 0 ? 'figure bad' : 'figure');
      item.setAttribute('data-figure', f.field);
      item.setAttribute('data-per-second', String(perSecond));
      line.appendChild(item);
    });
    return line;
  }

  function color(chainName, providerId) {
    var ids = (shares[chainName + ' ids'] || []);
    var i = ids.indexOf(providerId);
    if (i < 0) { ids.push(providerId); shares[chainName + ' ids'] = ids; i = ids.length - 1; }
    return PALETTE[i % PALETTE.length];
  }

  // Which provider served what share of the chain's requests, tick by tick, as stacked bands.
  function shareChart(chain) {
    var h = shares[chain.chain] || (shares[chain.chain] = []);
    var tick = {};
    var any = false;
    chain.providers.forEach(function (p) { if (p.requests > 0) { tick[p.id] = p.requests; any = true; } });
    // A tick in which no node's rollup landed (their ticks are not aligned) repeats the one before.
    h.push(any || h.length === 0 ? tick : h[h.length - 1]);
    if (h.length > SHARE_TICKS) { h.shift(); }
    var ids = [];
    h.forEach(function (t) { Object.keys(t).forEach(function (id) { if (ids.indexOf(id) < 0) { ids.push(id); } }); });
    var box = el('div', null, 'share-box');
    box.appendChild(el('div', 'traffic share, last ' + Math.round(SHARE_TICKS / 2) + ' s', 'caption'));
    var w = 600, ht = 90;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'share');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + ht);
    svg.setAttribute('preserveAspectRatio', 'none');
    var step = w / (SHARE_TICKS - 1);
    var offset = SHARE_TICKS - h.length;
    var below = h.map(function () { return 0; });
    ids.forEach(function (id) {
      var top = [], bottom = [];
      h.forEach(function (t, i) {
        var total = 0;
        Object.keys(t).forEach(function (k) { total += t[k]; });
        var share = total > 0 ? (t[id] || 0) / total : 0;
        var x = (offset + i) * step;
        bottom.push(x.toFixed(1) + ',' + (ht - below[i] * ht).toFixed(1));
        below[i] += share;
        top.push(x.toFixed(1) + ',' + (ht - below[i] * ht).toFixed(1));
      });
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', 'M' + top.join(' L') + ' L' + bottom.reverse().join(' L') + ' Z');
      path.setAttribute('fill', color(chain.chain, id));
      path.setAttribute('fill-opacity', '0.8');
      var title = document.createElementNS(SVG, 'title');
      title.textContent = id;
      path.appendChild(title);
      svg.appendChild(path);
    });
    box.appendChild(svg);
    var legend = el('div', null, 'legend');
    ids.forEach(function (id) {
      var item = el('span', id);
      item.style.borderLeft = '10px solid ' + color(chain.chain, id);
      legend.appendChild(item);
    });
    box.appendChild(legend);
    return box;
  }

  // Latency per method and provider, busiest first; the last tick with traffic stays shown.
  function methodTable(chain) {
    var rows = [];
    chain.providers.forEach(function (p) {
      (p.methods || []).forEach(function (m) { rows.push({ provider: p.id, m: m }); });
    });
    if (rows.length > 0) {
      rows.sort(function (a, b) { return b.m.requests - a.m.requests; });
      methodRows[chain.chain] = rows.slice(0, METHOD_ROWS);
    }
    var table = el('table', null, 'methods');
    var head = el('tr');
    ['method', 'provider', 'requests (tick)', 'success', 'p50 ms', 'p95 ms', 'p99 ms']
        .forEach(function (h, i) { head.appendChild(el('th', h, i < 2 ? 'text' : '')); });
    table.appendChild(head);
    (methodRows[chain.chain] || []).forEach(function (r) {
      var tr = el('tr', null, 'method');
      tr.appendChild(el('td', r.m.method, 'text'));
      tr.appendChild(el('td', r.provider, 'text'));
      tr.appendChild(el('td', r.m.requests));
      tr.appendChild(el('td', r.m.successRate === null ? '–' : fmt(r.m.successRate * 100, 1) + '%',
          r.m.successRate !== null && r.m.successRate < 0.95 ? 'bad' : ''));
      tr.appendChild(el('td', fmt(r.m.latencyMs.p50, 2)));
      tr.appendChild(el('td', fmt(r.m.latencyMs.p95, 2)));
      tr.appendChild(el('td', fmt(r.m.latencyMs.p99, 2)));
      table.appendChild(tr);
    });
    return table;
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

  // The operator token, when the node has one: asked for once, kept for this tab in
  // sessionStorage, sent as a bearer header on fetches and as a WebSocket subprotocol on the feed
  // (a browser cannot set headers on a WebSocket, and a URL would put the token in logs).
  function storedToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function storeToken(value) {
    try {
      if (value) { sessionStorage.setItem(TOKEN_KEY, value); } else { sessionStorage.removeItem(TOKEN_KEY); }
    } catch (e) { /* storage off: the form asks again after a reload */ }
  }

  function base64url(text) {
    var binary = '';
    new TextEncoder().encode(text).forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // Whether the node would open the feed for this token (or for none): 'ok', 'refused' or
  // 'unavailable'. A refused WebSocket upgrade tells a page nothing, so a wrong token shows here.
  function checkAccess(candidate) {
    var headers = candidate ? { Authorization: 'Bearer ' + candidate } : {};
    return fetch('/dashboard/access', { headers: headers, cache: 'no-store' }).then(function (r) {
      return r.status === 200 ? 'ok' : r.status === 401 ? 'refused' : 'unavailable';
    }, function () { return 'unavailable'; });
  }

  function start() {
    checkAccess(token).then(function (access) {
      if (access === 'ok') {
        connect();
      } else if (access === 'refused') {
        askForToken(token ? 'The token this tab held is no longer accepted; enter the current one.' : null);
      } else {
        setStatus('unreachable', 'closed');
        retryLater();
      }
    });
  }

  function retryLater() {
    setTimeout(start, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  }

  function showLoginError(message) {
    var error = document.getElementById('login-error');
    error.textContent = message || '';
    error.hidden = !message;
  }

  function askForToken(message) {
    token = null;
    storeToken(null);
    setStatus('token needed', 'locked');
    showLoginError(message);
    document.getElementById('login').hidden = false;
    document.getElementById('token').focus();
  }

  document.getElementById('login').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = document.getElementById('token');
    var candidate = input.value.trim();
    if (!candidate) { return; }
    checkAccess(candidate).then(function (access) {
      if (access === 'ok') {
        token = candidate;
        storeToken(candidate);
        input.value = '';
        showLoginError(null);
        document.getElementById('login').hidden = true;
        connect();
      } else if (access === 'refused') {
        showLoginError('Wrong token: this node did not accept it.');
        input.select();
      } else {
        showLoginError('The node did not answer; try again in a moment.');
      }
    });
  });

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/dashboard';
    var protocols = [FEED_PROTOCOL];
    if (token) { protocols.push(TOKEN_PROTOCOL_PREFIX + base64url(token)); }
    socket = new WebSocket(url, protocols);
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
      // Keep the last state on screen; reconnect with back-off, asking first whether the token
      // still opens the feed (it may have been rotated meanwhile).
      setStatus('reconnecting', 'closed');
      retryLater();
    };
  }

  // While the aggregator moves no rollup comes: the page keeps its last state and says so.
  setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN && lastAt > 0 && Date.now() - lastAt > 2000) {
      setStatus('stale ' + Math.round((Date.now() - lastAt) / 1000) + ' s', 'stale');
    }
  }, 1000);

  token = storedToken();
  start();
}());
