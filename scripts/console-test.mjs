// The web console in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against a real `podgate serve` on the simulator.
//
//   node scripts/console-test.mjs PLAYWRIGHT_DIR
//
// PLAYWRIGHT_DIR holds node_modules/playwright-core (scripts/console-test.sh installs
// it). Screenshots of each page go to target/console/. Exits non-zero on the first
// expectation that fails.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';

const require = createRequire(path.resolve(process.argv[2] || '.') + '/');
const { chromium } = require('playwright-core');

const ADMIN = 'console-test-admin-token';
const SHOTS = 'target/console';
const TIMEOUT = 15_000;
mkdirSync(SHOTS, { recursive: true });

function expect(ok, what) {
  if (!ok) throw new Error(`expected: ${what}`);
  console.log(`ok: ${what}`);
}

/** `podgate serve` on a free port, realistic delays, in memory; its base URL. */
async function startServer() {
  const server = spawn('target/debug/podgate', ['serve', '--listen', '127.0.0.1:0', '--in-memory',
    '--admin-token', ADMIN, '--sim-delays', 'realistic'], { stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PODGATE_LOG: 'warn' } });
  const lines = createInterface({ input: server.stdout });
  for await (const line of lines) {
    const found = /podgate listening on (http:\/\/\S+)/.exec(line);
    if (found) return { server, base: found[1] };
  }
  throw new Error('podgate did not start');
}

async function call(base, method, route, body, headers = {}) {
  const res = await fetch(base + route, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const { server, base } = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(TIMEOUT);
  let loads = 0;
  page.on('load', () => { loads += 1; });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // Script errors and refused content (a policy violation); not the statuses of
  // requests, which include the 401 a wrong token is meant to get.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });

  // The page refuses a wrong token and takes the right one.
  await page.goto(base + '/ui');
  await page.waitForSelector('#login:not([hidden])');
  await page.screenshot({ path: `${SHOTS}/login.png` });
  await page.fill('#token', 'not-the-token');
  await page.click('#login button');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.includes('refused'));
  expect(true, 'a wrong admin token is refused on the page');
  await page.fill('#token', ADMIN);
  await page.click('#login button');
  await page.waitForSelector('#page-nodes:not([hidden]) .card');
  expect(await page.locator('[data-node]').count() > 0, 'the nodes page shows the nodes');
  await page.screenshot({ path: `${SHOTS}/nodes.png`, fullPage: true });

  // The clock stands still, from the page, so the pod waits where it is.
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#paused').textContent === 'paused');
  expect(true, 'the clock is paused from the page');

  // An NCS workload made through the API shows up Pending, live.
  const ns = await call(base, 'POST', '/admin/v1/ncs/namespaces', {}, { Authorization: `Bearer ${ADMIN}` });
  expect(ns.status === 201, 'an NCS namespace is made');
  const created = await call(base, 'POST', '/ncs?Action=CreateStatefulWorkload&Version=2017-11-16', {
    NamespaceId: ns.body.NamespaceId, Name: 'web', SpecType: 'ncs.n1.medium2', ContainerType: 'Standard',
    Placement: { ZoneId: [] }, VirtualPrivateCloud: { VpcId: 'v', SubnetId: 'None' },
    Containers: [{ Name: 'app', Image: 'nginx:stable', ResourceRequirements: {
      Limits: { Cpu: '1000', Memory: '1024' }, Requests: { Cpu: '1000', Memory: '1024' } } }],
  }, { Authorization: `Bearer ${ns.body.token}` });
  expect(created.status === 200, 'an NCS workload is made through the API');
  await page.click('#nav a[data-page="pods"]');
  const row = page.locator('tr[data-pod]').first();
  await row.locator('.phase', { hasText: 'Pending' }).waitFor();
  expect(true, 'the pod shows Pending');
  const loadsBefore = loads;
  await page.screenshot({ path: `${SHOTS}/pods-pending.png`, fullPage: true });

  // The clock moved from the page: the pod runs, without a reload.
  await page.click('#advance-60');
  await row.locator('.phase', { hasText: 'Running' }).waitFor();
  expect(loads === loadsBefore, 'the pod shows Running without reloading the page');
  await page.screenshot({ path: `${SHOTS}/pods-running.png`, fullPage: true });

  // Its container crashed from the page: the restart count rises.
  await row.locator('button[data-crash]').first().click();
  await page.waitForFunction(() => document.querySelector('tr[data-pod] .restarts').textContent === '1');
  expect(loads === loadsBefore, 'the restart count rises to 1, live');
  await page.screenshot({ path: `${SHOTS}/pods-crashed.png`, fullPage: true });

  // The workload's page: its pods and its timeline.
  await row.locator('a').click();
  await page.waitForSelector('#page-workload:not([hidden]) #workload-timeline li[data-kind="container_crashed"]');
  // What the page says of the workload is what the API says, read after the crash.
  const { body: cluster } = await call(base, 'GET', '/admin/v1/cluster', undefined, { Authorization: `Bearer ${ADMIN}` });
  const phase = cluster.workloads[0].phase;
  await page.waitForFunction((p) => document.querySelector('#workload-summary').textContent.includes(` ${p} `), phase);
  expect(true, `the workload's page shows its phase as the API does (${phase})`);
  const timeline = await page.locator('#workload-timeline li').count();
  expect(timeline >= 3, `the workload's timeline holds its entries (${timeline})`);
  await page.screenshot({ path: `${SHOTS}/workload.png`, fullPage: true });

  await page.click('#nav a[data-page="events"]');
  await page.waitForSelector('#events li[data-kind="request"]');
  await page.screenshot({ path: `${SHOTS}/events.png`, fullPage: true });
  const shown = await page.content();
  expect(!shown.includes(ns.body.token), 'no tenant token is shown');

  await page.click('#nav a[data-page="nodes"]');
  await page.waitForSelector('#page-nodes:not([hidden]) .card');
  await page.screenshot({ path: `${SHOTS}/nodes-used.png`, fullPage: true });

  // Logged out: the token is gone from the tab and the page asks again.
  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])');
  expect(await page.evaluate(() => sessionStorage.length) === 0
    && await page.inputValue('#token') === '', 'logging out forgets the token, also in the form');
  expect(problems.length === 0, `no script error on the page (${problems.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(`console test failed: ${e.message}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
