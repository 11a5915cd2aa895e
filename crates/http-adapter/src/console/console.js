// podgate's web console: the cluster from GET /admin/v1/cluster, kept current by the
// event stream (GET /admin/v1/events/stream), and the simulator's controls. The admin
// token is asked for once and kept in this tab's session storage.
'use strict';

const TOKEN_KEY = 'podgate-admin-token';
const KEPT_EVENTS = 500;
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  cluster: null,
  // When the cluster's clock was read, on this browser's clock.
  readAt: 0,
  events: [],
  last: 0,
  stream: null,
  refreshTimer: null,
  timeline: null,
};

const $ = (id) => document.getElementById(id);

/** An element: `el('td', {class: 'x'}, 'text', child)`; text is never parsed as HTML. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function showError(message) {
  $('error').textContent = message || '';
}

/** A call to the admin API; a refused token logs out. */
async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + state.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (res.status === 401) {
    logout('The admin token was refused.');
    throw new Error('unauthorized');
  }
  if (!res.ok) {
    throw new Error((data && data.error && data.error.message) || res.statusText);
  }
  return data;
}

/** Runs a control and shows what went wrong, if anything. */
async function act(method, path, body) {
  try {
    showError('');
    return await api(method, path, body);
  } catch (e) {
    if (e.message !== 'unauthorized') showError(e.message);
    return null;
  }
}

// ---- Logging in and out --------------------------------------------------------

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $('token').value = '';
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.cluster = null;
  for (const page of document.querySelectorAll('.page')) page.hidden = true;
  $('nav').hidden = true;
  $('clock').hidden = true;
  $('logout').hidden = true;
  $('live').textContent = '';
  $('login').hidden = false;
  $('login-error').textContent = message || '';
}

async function login(token) {
  state.token = token;
  try {
    await refresh();
  } catch (e) {
    if (e.message !== 'unauthorized') $('login-error').textContent = e.message;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('login').hidden = true;
  $('nav').hidden = false;
  $('clock').hidden = false;
  $('logout').hidden = false;
  state.last = state.cluster.feed_last;
  await loadRecentEvents();
  follow();
  route();
}

// ---- The cluster and the stream ------------------------------------------------

async function refresh() {
  state.cluster = await api('GET', '/admin/v1/cluster');
  state.readAt = Date.now();
  document.body.classList.toggle('hidden-sim', !state.cluster.simulated);
  $('backend').textContent = state.cluster.backend;
  render();
}

/** A full read of the cluster soon, for what an entry does not carry by itself. */
function refreshSoon() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => refresh().catch(() => {}), 250);
}

async function loadRecentEvents() {
  const since = Math.max(0, state.last - 200);
  const page = await api('GET', `/admin/v1/events?since=${since}&limit=1000`);
  // What came after the cluster was read arrives on the stream.
  state.events = page.entries.filter((e) => e.seq <= state.last);
}

/** Follows the event stream (fetch, so that the token goes in a header), reconnecting
 * from the last entry seen. */
async function follow() {
  const control = new AbortController();
  state.stream = control;
  while (!control.signal.aborted) {
    try {
      const res = await fetch(`/admin/v1/events/stream?since=${state.last}`, {
        headers: { Authorization: 'Bearer ' + state.token },
        signal: control.signal,
      });
      if (res.status === 401) {
        logout('The admin token was refused.');
        return;
      }
      if (!res.ok) throw new Error(res.statusText);
      $('live').textContent = 'live';
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data) apply(JSON.parse(data));
        }
      }
    } catch (e) {
      if (control.signal.aborted) return;
    }
    $('live').textContent = 'reconnecting';
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** One entry of the feed, applied to what is shown. */
function apply(entry) {
  if (entry.seq <= state.last) return;
  state.last = entry.seq;
  state.events.push(entry);
  if (state.events.length > KEPT_EVENTS) state.events.shift();
  if (state.timeline && touches(entry, state.timeline.workload)) state.timeline.entries.push(entry);
  const cluster = state.cluster;
  if (!cluster) return;
  if (entry.kind === 'pod') {
    const pod = cluster.pods.find((p) => p.id === entry.pod);
    if (pod) {
      Object.assign(pod, {
        phase: entry.phase,
        reason: entry.reason,
        restarts: entry.restarts,
        node: entry.node,
      });
    }
    // A new pod, and what its node now holds, come with the next full read.
    refreshSoon();
  } else if (entry.kind === 'pod_removed') {
    cluster.pods = cluster.pods.filter((p) => p.id !== entry.pod);
    refreshSoon();
  } else if (entry.kind === 'clock') {
    cluster.clock.unix_ms = entry.at;
    cluster.clock.paused = entry.paused;
    state.readAt = Date.now();
  } else if (entry.kind !== 'request') {
    refreshSoon();
  }
  render();
}

// ---- Rendering -----------------------------------------------------------------

function render() {
  renderClock();
  const page = currentPage();
  if (page.name === 'nodes') renderNodes();
  if (page.name === 'pods') renderPods();
  if (page.name === 'workload') renderWorkload(page.id);
  if (page.name === 'events') renderEvents();
}

function renderClock() {
  const clock = state.cluster && state.cluster.clock;
  if (!clock) return;
  const now = clock.paused ? clock.unix_ms : clock.unix_ms + (Date.now() - state.readAt);
  $('now').textContent = new Date(now).toISOString().replace('.000Z', 'Z');
  $('paused').textContent = clock.paused ? 'paused' : 'running';
  $('pause').textContent = clock.paused ? 'Resume' : 'Pause';
}

function bar(label, used, capacity, unit) {
  const share = capacity > 0 ? Math.min(1, used / capacity) : 0;
  // Set through the style object: the page's policy refuses inline style attributes.
  const fill = el('span');
  fill.style.width = `${share * 100}%`;
  return [
    el('div', { class: 'row' }, el('span', {}, label), el('span', {}, `${used} / ${capacity} ${unit}`)),
    el('div', { class: share >= 0.9 ? 'bar full' : 'bar', title: `${Math.round(share * 100)} %` }, fill),
  ];
}

function renderNodes() {
  const regions = new Map();
  for (const node of state.cluster.nodes) {
    if (!regions.has(node.region)) regions.set(node.region, []);
    regions.get(node.region).push(node);
  }
  const out = [];
  for (const [region, nodes] of regions) {
    out.push(el('div', { class: 'group' }, el('h2', {}, region), el('div', { class: 'cards' },
      nodes.map((node) => el('div', { class: node.ready ? 'card' : 'card down', 'data-node': node.name },
        el('div', { class: 'row' }, el('strong', {}, node.name),
          el('span', { class: 'badge' }, node.ready ? 'Ready' : 'NotReady')),
        el('div', { class: 'muted' }, `${node.zone} · ${node.group || 'no group'}`),
        bar('CPU', node.used.cpu_millis, node.capacity.cpu_millis, 'm'),
        bar('Memory', node.used.memory_mib, node.capacity.memory_mib, 'MiB'),
        bar('Pods', node.used.pods, node.capacity.pods, ''),
        el('div', { class: 'sim-only' },
          node.ready
            ? el('button', { type: 'button', 'data-lose': node.name,
              onclick: () => act('POST', `/admin/v1/sim/nodes/${encodeURIComponent(node.name)}/lose`) }, 'Lose node')
            : el('button', { type: 'button', 'data-restore': node.name,
              onclick: () => act('POST', `/admin/v1/sim/nodes/${encodeURIComponent(node.name)}/restore`) }, 'Restore node')))))));
  }
  $('nodes').replaceChildren(...out);
}

function podTable(pods) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ['Pod', 'Workload', 'Phase', 'Reason', 'Restarts', 'Node', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, pods.map((pod) => {
      const workload = state.cluster.workloads.find((w) => w.id === pod.workload);
      return el('tr', { 'data-pod': pod.id },
        el('td', {}, pod.name),
        el('td', {}, el('a', { href: `#/workloads/${pod.workload}` }, workload ? workload.name : pod.workload)),
        el('td', { class: `phase phase-${pod.phase}` }, pod.phase),
        el('td', { class: 'reason' }, pod.reason || ''),
        el('td', { class: 'restarts' }, pod.restarts),
        el('td', {}, pod.node || ''),
        el('td', { class: 'sim-only' }, pod.containers.map((name) =>
          el('button', { type: 'button', 'data-crash': pod.id, 'data-container': name,
            onclick: () => act('POST', `/admin/v1/sim/pods/${pod.id}/crash`, { container: name }) },
          `Crash ${name}`))));
    })));
}

function renderPods() {
  const groups = new Map();
  for (const pod of state.cluster.pods) {
    const key = `${pod.dialect} · ${pod.tenant}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(pod);
  }
  const out = [...groups].map(([key, pods]) => el('div', { class: 'group' }, el('h2', {}, key), podTable(pods)));
  if (!out.length) out.push(el('p', { class: 'muted' }, 'No pods yet.'));
  $('pods').replaceChildren(...out);
}

/** Whether `entry` is about workload `id`. */
function touches(entry, id) {
  return entry.workload === id || entry.pool === id;
}

function describe(entry) {
  const { seq, at, kind, ...rest } = entry;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return el('li', { 'data-kind': kind },
    el('span', { class: 'seq' }, `#${seq} ${new Date(at).toISOString()}`),
    el('strong', {}, kind), ' ', fields);
}

async function openWorkload(id) {
  state.timeline = { workload: id, entries: [] };
  // The whole ring, page by page, for this workload's entries.
  let since = 0;
  for (;;) {
    const page = await api('GET', `/admin/v1/events?since=${since}&limit=1000`);
    if (!state.timeline || state.timeline.workload !== id) return;
    state.timeline.entries.push(...page.entries.filter((e) => touches(e, id) && e.seq <= state.last));
    if (!page.entries.length || page.entries[page.entries.length - 1].seq >= state.last) break;
    since = page.entries[page.entries.length - 1].seq;
  }
  render();
}

function renderWorkload(id) {
  const workload = state.cluster.workloads.find((w) => w.id === id);
  $('workload-title').textContent = workload ? workload.name : `Workload ${id}`;
  $('workload-summary').textContent = workload
    ? `${workload.dialect} · ${workload.tenant} · ${workload.kind} · ${workload.phase} · ${workload.ready}/${workload.replicas} ready`
    : 'This workload is gone.';
  $('workload-pods').replaceChildren(podTable(state.cluster.pods.filter((p) => p.workload === id)));
  const entries = state.timeline && state.timeline.workload === id ? state.timeline.entries : [];
  $('workload-timeline').replaceChildren(...entries.slice().reverse().map(describe));
}

function renderEvents() {
  $('events').replaceChildren(...state.events.slice(-200).reverse().map(describe));
}

// ---- Pages ---------------------------------------------------------------------

function currentPage() {
  const hash = location.hash.replace(/^#\/?/, '');
  const workload = /^workloads\/(\d+)$/.exec(hash);
  if (workload) return { name: 'workload', id: Number(workload[1]) };
  return { name: ['pods', 'events'].includes(hash) ? hash : 'nodes' };
}

function route() {
  if (!state.cluster) return;
  const page = currentPage();
  for (const section of document.querySelectorAll('.page')) {
    section.hidden = section.id !== `page-${page.name}`;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('current', link.dataset.page === page.name);
  }
  if (page.name === 'workload') openWorkload(page.id).catch((e) => showError(e.message));
  else state.timeline = null;
  render();
}

// ---- Wiring --------------------------------------------------------------------

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  login($('token').value.trim());
});
$('logout').addEventListener('click', () => logout(''));
$('advance-10').addEventListener('click', () => act('POST', '/admin/v1/sim/clock', { advance_seconds: 10 }));
$('advance-60').addEventListener('click', () => act('POST', '/admin/v1/sim/clock', { advance_seconds: 60 }));
$('pause').addEventListener('click', () =>
  act('POST', '/admin/v1/sim/clock', { paused: !state.cluster.clock.paused }));
$('image-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const pullable = event.submitter && event.submitter.dataset.pullable === 'true';
  const image = $('image').value.trim();
  if (await act('POST', '/admin/v1/sim/images', { image, pullable })) {
    $('image-result').textContent = `${image} is ${pullable ? 'pullable' : 'unpullable'} now.`;
  }
});
window.addEventListener('hashchange', route);
setInterval(renderClock, 1000);

if (state.token) login(state.token);
else logout('');
