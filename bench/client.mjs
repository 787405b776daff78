// The bench's own HTTP client (Node, no dependencies). Three jobs:
//
//   node bench/client.mjs setup BASE_URL ACCOUNTS OUT_DIR
//       open and fund ACCOUNTS accounts through the API (plus one merchant account); writes
//       OUT_DIR/accounts.tsv and OUT_DIR/merchant.tsv, lines "id<TAB>token" ("-" without /dev/tokens),
//       and OUT_DIR/operator.tsv, the operator's token (run.sh reads the metrics endpoint with it)
//   node bench/client.mjs open BASE_URL ACCOUNTS_TSV RATE SECONDS [WARMUP_SECONDS]
//       uniform transfers on a fixed arrival schedule (the open model), latency measured from
//       each request's intended send time; the warm-up runs at the same rate and is not counted
//   node bench/client.mjs sse BASE_URL ACCOUNTS_TSV COUNT HOLD_SECONDS READY_FILE
//       hold COUNT account event streams; READY_FILE is written once they are connected
//
// Node rather than the JDK's HttpClient because on two shared cores the generator's own CPU
// is taken from the gateway: this one costs about a fifth of what the JDK client did per request.
// Every job talks to loopback only and ends by itself within its time bound.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const CURRENCY = 'USD';
const FUNDING = '1000000.00';
const ACCOUNTS_PER_CUSTOMER = 100;
const SETUP_PARALLELISM = 32;
const SETUP_SECONDS_MAX = 300;
const CALL_TIMEOUT_MS = 10_000;
// Requests the open-model sender lets be outstanding before it holds back (a stall then shows
// as latency, because latency counts from the intended send time).
const OPEN_IN_FLIGHT_MAX = 4096;
const OPEN_DRAIN_SECONDS = 15;
const SSE_COUNT_MAX = 50_000;
const SSE_CONNECTING_MAX = 256;
const SSE_CONNECT_SECONDS_MAX = 120;
const SCOPES = ['accounts:read', 'accounts:write', 'transfers:read', 'transfers:write', 'banks:read'];

function loopback(base) {
  const url = new URL(base);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error(`the bench only loads 127.0.0.1/localhost, not ${url.hostname}`);
  }
  return url;
}

function call(agent, url, method, route, token, body, accept = 'application/json') {
  return new Promise((resolve, reject) => {
    const headers = { accept };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: url.hostname, port: url.port, path: route, method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${route}: no answer in ${CALL_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function expect(status, what, reply) {
  if (reply.status !== status) throw new Error(`${what} answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body);
}

/** At most `parallelism` calls in flight; the first failure stops everything. Results in index order. */
async function inParallel(count, parallelism, job) {
  const results = new Array(count);
  let next = 0;
  const deadline = Date.now() + SETUP_SECONDS_MAX * 1000;
  async function worker() {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`setup took longer than ${SETUP_SECONDS_MAX} s`);
      const i = next++;
      results[i] = await job(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallelism, count) }, worker));
  return results;
}

function readAccounts(tsv) {
  const accounts = fs.readFileSync(tsv, 'utf8').split('\n').filter((l) => l.includes('\t')).map((l) => {
    const [id, token] = l.split('\t');
    return { id, token: token === '-' ? null : token };
  });
  if (accounts.length < 2) throw new Error(`need at least 2 accounts in ${tsv}`);
  return accounts;
}

// ---- setup ---------------------------------------------------------------------------------------

async function setup(base, count, outDir) {
  const url = loopback(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETUP_PARALLELISM });
  const started = Date.now();
  const token = async (subject, role) => {
    const body = JSON.stringify({ subject, roles: [role], scopes: SCOPES });
    const reply = await call(agent, url, 'POST', '/dev/tokens', null, body);
    if (reply.status === 404) return null; // no security yet: the gateway acts as its local admin
    return expect(reply.status === 201 ? 201 : 200, 'POST /dev/tokens', reply).access_token;
  };
  const open = async (owner, name) => {
    const body = JSON.stringify({ currency: CURRENCY, name });
    return { id: expect(201, 'POST /accounts', await call(agent, url, 'POST', '/accounts', owner, body)).id, token: owner };
  };
  const operator = await token('bench-operator', 'OPERATOR');
  const customers = Math.ceil(count / ACCOUNTS_PER_CUSTOMER);
  const owners = await inParallel(customers, SETUP_PARALLELISM,
    (c) => (operator ? token(`bench-c${c}`, 'CUSTOMER') : null));
  const accounts = await inParallel(count, SETUP_PARALLELISM, async (i) => {
    const account = await open(owners[Math.floor(i / ACCOUNTS_PER_CUSTOMER)], `bench ${i}`);
    const body = JSON.stringify({ amount: FUNDING, currency: CURRENCY, description: 'bench' });
    expect(201, 'POST /accounts/{id}/deposit',
      await call(agent, url, 'POST', `/accounts/${account.id}/deposit`, operator, body));
    return account;
  });
  const merchant = await open(operator ? await token('bench-merchant', 'CUSTOMER') : null, 'bench merchant');
  const line = (a) => `${a.id}\t${a.token ?? '-'}`;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'accounts.tsv'), accounts.map(line).join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, 'merchant.tsv'), line(merchant) + '\n');
  fs.writeFileSync(path.join(outDir, 'operator.tsv'), `${operator ?? '-'}\n`);
  agent.destroy();
  console.log(`SETUP_RESULT accounts=${count} customers=${customers} tokens=${operator ? 'yes' : 'no'}`
    + ` seconds=${((Date.now() - started) / 1000).toFixed(1)}`);
}

// ---- open model ----------------------------------------------------------------------------------

function open(base, tsv, rate, seconds, warmupSeconds) {
  const url = loopback(base);
  const accounts = readAccounts(tsv);
  // Keep-alive like a real client's pool; a new connection only when all are busy.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  const warmup = Math.round(rate * warmupSeconds);
  const total = warmup + Math.round(rate * seconds);
  const periodNs = 1e9 / rate;
  const latencyNs = new Float64Array(total).fill(-1);
  const counts = { ok: 0, refused: 0, errors: 0, warmupErrors: 0 };
  let sent = 0;
  let settled = 0;
  let inFlight = 0;
  let maxSendLagNs = 0;
  let lastCompletionNs = 0;
  const origin = process.hrtime.bigint() + 100_000_000n;
  const now = () => Number(process.hrtime.bigint() - origin);

  return new Promise((resolve) => {
    const finish = () => {
      const measured = Array.from(latencyNs.subarray(warmup)).filter((l) => l >= 0).sort((a, b) => a - b);
      const pct = (p) => (measured.length === 0 ? 0 : measured[Math.max(0, Math.ceil(p * measured.length) - 1)]);
      const elapsed = Math.max(1e-9, (lastCompletionNs - warmup * periodNs) / 1e9);
      console.log(`OPEN_RESULT sent=${total - warmup} ok=${counts.ok} refused=${counts.refused} errors=${counts.errors}`
        + ` unfinished=${total - warmup - measured.length} achieved_per_s=${(measured.length / elapsed).toFixed(1)}`
        + ` p50_us=${Math.round(pct(0.5) / 1000)} p99_us=${Math.round(pct(0.99) / 1000)}`
        + ` max_us=${Math.round(pct(1) / 1000)} max_send_lag_us=${Math.round(maxSendLagNs / 1000)}`
        + ` warmup_errors=${counts.warmupErrors}`);
      agent.destroy();
      resolve();
    };
    const done = (k, status) => {
      const t = now();
      latencyNs[k] = t - k * periodNs;
      lastCompletionNs = Math.max(lastCompletionNs, t);
      const failed = status !== 201 && status !== 422;
      if (k < warmup) counts.warmupErrors += failed ? 1 : 0;
      else if (failed) counts.errors++;
      else if (status === 201) counts.ok++;
      else counts.refused++;
      inFlight--;
      if (++settled === total) finish();
    };
    const send = (k) => {
      const a = Math.floor(Math.random() * accounts.length);
      const b = (a + 1 + Math.floor(Math.random() * (accounts.length - 1))) % accounts.length;
      const body = `{"from_account":"${accounts[a].id}","to_account":"${accounts[b].id}","amount":"0.01",`
        + `"currency":"${CURRENCY}","description":"bench"}`;
      inFlight++;
      call(agent, url, 'POST', '/transfers', accounts[a].token, body)
        .then((reply) => done(k, reply.status), () => done(k, 0));
    };
    const tick = () => {
      const t = now();
      while (sent < total && sent * periodNs <= t && inFlight < OPEN_IN_FLIGHT_MAX) {
        if (sent >= warmup) maxSendLagNs = Math.max(maxSendLagNs, t - sent * periodNs);
        send(sent++);
      }
      if (sent < total) {
        setTimeout(tick, Math.max(0, Math.floor((sent * periodNs - now()) / 1e6)));
      } else {
        setTimeout(() => { if (settled < total) finish(); }, OPEN_DRAIN_SECONDS * 1000).unref();
      }
    };
    setTimeout(tick, 100);
  });
}

// ---- SSE subscribers -----------------------------------------------------------------------------
//
// The gateway sends a stream's status line and headers together with its first event or heartbeat
// comment (15 s by default), not when it accepts the stream, so waiting for each answer before
// counting a subscriber would take a heartbeat per connection, and a 10 s timeout read as
// "status=0". Instead a stream counts once its request is sent, and the gateway's own gauge
// paygate_sse_subscribers (public, on /actuator/prometheus) says when it holds them all. The
// answers still arrive within a heartbeat, and the result line counts them by status.

const SSE_GAUGE = 'paygate_sse_subscribers';
// A stream whose answer is a refusal (401, 404, ...) comes at once; a 200 comes with the first heartbeat.
const SSE_PROBE_SECONDS_MAX = 30;

/** The gateway's open event streams, or null when it has no such gauge (or no /actuator/prometheus). */
async function sseGauge(url) {
  try {
    // Prometheus' text format: asked for JSON, the endpoint answers 406.
    const reply = await call(undefined, url, 'GET', '/actuator/prometheus', null, undefined, 'text/plain');
    if (reply.status !== 200) return null;
    const line = reply.body.split('\n').find((l) => l.startsWith(`${SSE_GAUGE} `) || l.startsWith(`${SSE_GAUGE}{`));
    return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
  } catch {
    return null;
  }
}

/** Opens one stream; resolves true once the request is on the wire, false if it could not be sent. */
function stream(agent, url, account, tally) {
  return new Promise((resolve) => {
    const headers = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (account.token) headers.authorization = `Bearer ${account.token}`;
    const req = http.request({ host: url.hostname, port: url.port, path: `/accounts/${account.id}/events`, agent, headers },
      (res) => {
        tally.statuses.set(res.statusCode, (tally.statuses.get(res.statusCode) ?? 0) + 1);
        if (tally.firstStatus === 0) tally.firstStatus = res.statusCode;
        // Read everything as it comes: a subscriber must never be the slow consumer the gateway drops.
        res.on('data', (chunk) => { tally.lines += chunk.toString().split('\n').length - 1; });
        res.on('end', () => { if (tally.holding) tally.endedEarly++; });
        res.on('error', () => { if (tally.holding) tally.endedEarly++; });
      });
    tally.requests.push(req);
    req.on('error', () => { if (tally.holding) tally.errors++; resolve(false); });
    req.on('finish', () => resolve(true));
    req.end();
  });
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Polls until done() is true or the deadline passes; answers whether done() became true. */
async function waitFor(done, deadline, pollMs = 250) {
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

async function sse(base, tsv, count, holdSeconds, readyFile) {
  if (!(count >= 1 && count <= SSE_COUNT_MAX)) throw new Error(`COUNT must be 1..${SSE_COUNT_MAX}`);
  const url = loopback(base);
  const accounts = readAccounts(tsv);
  const deadline = Date.now() + holdSeconds * 1000;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const tally = { statuses: new Map(), firstStatus: 0, lines: 0, endedEarly: 0, errors: 0, holding: true, requests: [] };
  const baseline = await sseGauge(url);
  const held = async () => (baseline === null ? null : (await sseGauge(url)) - baseline);
  const answered = (status) => tally.statuses.get(status) ?? 0;
  const result = (connected, failed) => `status=${tally.firstStatus === 0 ? 200 : tally.firstStatus}`
    + ` connected=${connected} failed=${failed}`;

  // The probe: one stream, until the gateway answers it or (sooner) its gauge counts it.
  const probeSent = await stream(agent, url, accounts[0], tally);
  const probeHeld = probeSent && await waitFor(async () => tally.firstStatus !== 0 || (await held()) >= 1,
    Date.now() + SSE_PROBE_SECONDS_MAX * 1000, 100);
  if (!probeHeld || (tally.firstStatus !== 0 && tally.firstStatus !== 200)) {
    const status = tally.firstStatus;
    fs.writeFileSync(readyFile, `status=${status}\n`);
    console.log(`SSE_RESULT status=${status} connected=0 failed=1 ended_early=0 lines=0`);
    tally.requests.forEach((req) => req.destroy());
    agent.destroy();
    return;
  }

  const connectDeadline = Date.now() + SSE_CONNECT_SECONDS_MAX * 1000;
  let sent = 1;
  let unsent = 0;
  if (count > 1) {
    await inParallel(count - 1, SSE_CONNECTING_MAX, async (i) => {
      if (Date.now() > connectDeadline) { unsent++; return; }
      if (await stream(agent, url, accounts[(i + 1) % accounts.length], tally)) sent++; else unsent++;
    });
  }
  // Sent is not yet held: wait until the gateway counts them all (or has refused the rest).
  const refused = () => [...tally.statuses].reduce((n, [status, c]) => n + (status === 200 ? 0 : c), 0);
  const lost = () => refused() + tally.errors + unsent;
  let connected;
  if (baseline !== null) {
    await waitFor(async () => (await held()) + lost() >= count, connectDeadline);
    connected = Math.max(0, await held());
  } else {
    // No gauge: every answer has to come (with the first heartbeat).
    await waitFor(() => answered(200) + lost() >= count, connectDeadline);
    connected = answered(200);
  }
  fs.writeFileSync(readyFile, `${result(connected, count - connected)}\n`);
  const report = () => {
    tally.holding = false;
    const statuses = [...tally.statuses].map(([s, c]) => `${s}:${c}`).join(',') || 'none';
    // A stream that ended while held was dropped by the gateway: reported, not hidden.
    console.log(`SSE_RESULT ${result(connected, count - connected)} sent=${sent} answered=${statuses}`
      + ` errors=${tally.errors} ended_early=${tally.endedEarly} lines=${tally.lines}`);
    tally.requests.forEach((req) => req.destroy());
    agent.destroy();
  };
  // run.sh ends the hold early (SIGTERM) once its measurement is done.
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    process.once('SIGTERM', () => { clearTimeout(timer); resolve(); });
  });
  report();
}

// ---- main ----------------------------------------------------------------------------------------

const [job, base, ...rest] = process.argv.slice(2);
const jobs = {
  setup: () => setup(base, Number(rest[0]), rest[1]),
  open: () => open(base, rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3] ?? 0)),
  sse: () => sse(base, rest[0], Number(rest[1]), Number(rest[2]), rest[3]),
};
if (!jobs[job] || !base) {
  console.error('usage: node bench/client.mjs setup|open|sse BASE_URL ...');
  process.exit(2);
}
jobs[job]().then(() => process.exit(0), (error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
