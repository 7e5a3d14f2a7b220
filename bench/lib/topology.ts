// The production topology on one machine (issue 16): auth, payment and transaction replicas as
// separate processes, each from its own entrypoint and env, tokens verified through JWKS, behind
// HAProxy (the OpenShift router) with health checks on /readyz and kong.yml's path routing; the
// e-wallet sandboxes outside every replica; real PostgreSQL, Redis and Kafka. A seeded nemesis
// kills, freezes and partitions replicas while the bank workload runs through HAProxy, and the
// checker proves the ledger, the provider boundary, the outbox and the read model afterwards.
// Used by bench/topology.ts (the long run) and tests/e2e/topology.test.ts (the short one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createOrm, migrate, type Orm } from '../../src/adapters/persistence/orm.ts';
import { loadJwtKeys } from '../../src/adapters/security/jwt-keys.ts';
import { JwtAccessTokenService } from '../../src/adapters/security/jwt-access-token.service.ts';
import { InMemoryKeyValueStore } from '../../src/adapters/memory/in-memory-key-value-store.ts';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { CreditAccountHandler } from '../../src/application/payment/credit-account/credit-account.handler.ts';
import { PostgresAccountRepository } from '../../src/adapters/persistence/payment/postgres-account.repository.ts';
import { PostgresLedgerRepository } from '../../src/adapters/persistence/payment/postgres-ledger.repository.ts';
import { Money } from '../../src/domain/shared/money.ts';
import { finalInvariants, ledgerSnapshot, runBankWorkload, type BankClient } from '../../tests/support/bank-workload.ts';
import { HttpSandboxControl, type SandboxesUnderTest } from '../../tests/support/remote-sandboxes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type FaultKind =
  'kill-payment' | 'stop-payment' | 'partition-payment' | 'kill-transaction' | 'term-transaction' | 'restart-kafka' | 'cut-sandbox' | 'restart-sandbox';

export interface TopologyOptions {
  auth: number;
  payment: number;
  transaction: number;
  /** 'own': a broker of the harness's own (another port and data dir), which the nemesis may restart. */
  kafka: 'shared' | 'own';
  sharedKafkaBrokers?: string;
  postgresAdminUrl: string;
  redisUrl: string;
  seed: number;
  operations: number;
  concurrency: number;
  faults: FaultKind[];
  /** Go through `faults` in order (each at least once) instead of picking at random. */
  ordered?: boolean;
  /** The workload goes on in rounds of `operations` until at least this many faults happened. */
  minFaults?: number;
  /** Asked between rounds: true ends the workload early (the checks still run; the result says so). */
  stopRequested?: () => boolean;
  /** Steady state between one fault's window and the next fault (ms, uniform in [min, max]). */
  calmMs: [number, number];
  /**
   * A fault's window lasts this long after the nemesis is done with it (default 8 s: a restarted or
   * resumed replica is marked up by HAProxy, rise 2 × 1 s, and warms up within it). Errors inside a
   * window are the fault's; outside every window, violations.
   */
  settleMs?: number;
  partitionMs: number;
  /** Request timeout of every replica; the Idempotency-Key lease is this + 5 s. */
  requestTimeoutMs: number;
  log: (line: string) => void;
}

/** A seeded PRNG (mulberry32): the same seed gives the same fault schedule. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A TCP hop the nemesis controls: `partition()` freezes every flow (nothing forwarded either way, new
 * connections accepted but not forwarded), as a network partition does; `heal()` resumes them;
 * `cut()` resets every connection (a provider dropping calls mid-flight).
 */
export class TcpProxy {
  readonly port: number;
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private partitioned = false;
  private held: net.Socket[] = [];

  private constructor(server: net.Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const ref: { proxy?: TcpProxy } = {};
    const server = net.createServer((client) => ref.proxy!.accept(client, targetPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ref.proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return ref.proxy;
  }

  private accept(client: net.Socket, targetPort: number): void {
    client.on('error', () => {});
    if (this.partitioned) {
      client.pause();
      this.held.push(client);
      (client as net.Socket & { target?: number }).target = targetPort;
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  partition(): void {
    this.partitioned = true;
    for (const [a, b] of this.pairs) {
      a.pause();
      b.pause();
    }
  }

  heal(): void {
    this.partitioned = false;
    for (const [a, b] of this.pairs) {
      a.resume();
      b.resume();
    }
    const held = this.held;
    this.held = [];
    for (const c of held) {
      c.resume();
      this.accept(c, (c as net.Socket & { target?: number }).target!);
    }
  }

  cut(): number {
    const n = this.pairs.size;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    return n;
  }

  async stop(): Promise<void> {
    this.cut();
    for (const c of this.held) c.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

/** One replica: a process of one entrypoint, restartable on the same port with the same env. */
export class Replica {
  readonly name: string;
  readonly port: number;
  private readonly entry: string;
  private readonly env: Record<string, string>;
  private child: ChildProcess | undefined;
  private out = '';
  private readonly logDir: string;

  private readonly isReady: () => Promise<boolean>;

  /** Ready when `isReady` says so; by default when its /readyz answers 200 (what HAProxy checks). */
  constructor(name: string, entry: string, port: number, env: Record<string, string>, logDir: string, isReady?: () => Promise<boolean>) {
    this.name = name;
    this.entry = entry;
    this.port = port;
    this.env = env;
    this.logDir = logDir;
    this.isReady = isReady ?? (async () => (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [this.entry], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1', SERVICE_NAME: this.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.out = (this.out + d.toString()).slice(-100_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => writeFileSync(join(this.logDir, `${this.name}.log`), this.out));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.out.slice(-3000)}`);
      try {
        if (await this.isReady()) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ready in 120 s:\n${this.out.slice(-3000)}`);
      await sleep(200);
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill(sig);
    await Promise.race([exited, sleep(30_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  output(): string {
    return this.out;
  }
}

/** The HAProxy config: kong.yml's path routing, health checks on /readyz. */
export function haproxyConfig(
  port: number,
  backends: Record<'auth' | 'payment' | 'transaction', Replica[]>,
  statsPort: number,
  serverTimeoutMs: number,
): string {
  const backend = (name: string, replicas: Replica[]) =>
    [
      `backend ${name}`,
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      // Down after three failed checks 1 s apart (each may take 2 s: /readyz itself bounds its
      // dependency checks at 2 s, and a loaded machine answers slowly); sessions on a server marked
      // down are cut, so a frozen replica does not hold its clients until the server timeout.
      '  timeout check 2500ms',
      '  default-server inter 1s fall 3 rise 2 on-marked-down shutdown-sessions',
      ...replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`),
    ].join('\n');
  return `global
  maxconn 4000
  # Abnormal requests only (option dontlog-normal): 5xx, resets, timeouts, with HAProxy's own
  # account of who ended them (%tsc), and the servers' health transitions.
  log stderr format raw local0 info
defaults
  mode http
  log global
  option dontlog-normal
  log-format "%Ts%ms %ST %tsc %b/%s %TR/%Tw/%Tc/%Tr/%Ta %{+Q}r"
  option forwardfor
  option redispatch
  retries 2
  timeout connect 1s
  timeout client ${serverTimeoutMs + 5000}ms
  timeout server ${serverTimeoutMs}ms
  timeout http-request 10s
  timeout http-keep-alive 5s
frontend api
  bind 127.0.0.1:${port}
  acl is_auth path_beg /api/auth/
  acl is_payment path_beg /api/payment/
  acl is_transaction path_beg /api/transaction/
  use_backend auth if is_auth
  use_backend payment if is_payment
  use_backend transaction if is_transaction
frontend stats
  bind 127.0.0.1:${statsPort}
  http-request return status 200 content-type text/plain string ok if { path /ok }
${backend('auth', backends.auth)}
${backend('payment', backends.payment)}
${backend('transaction', backends.transaction)}
`;
}

interface RequestRecord {
  start: number;
  end: number;
  status: number;
  error: string;
  path: string;
}

interface FaultRecord {
  kind: FaultKind;
  target: string;
  start: number;
  healedAt: number;
  end: number;
}

export interface TopologyResult {
  operations: number;
  /** Ended by stopRequested (SIGUSR2 to bench/topology.ts) before `operations` and `minFaults`. */
  stopped_early: boolean;
  /**
   * Per fault: how long it lasted, its heal time (p99 back to steady state), and what it did to the
   * outbox pipeline for events created during its window: the longest wait from commit to Kafka
   * (publish), from Kafka to the read model (consume), and the consumer lag's peak (events
   * published and not yet consumed, sampled every 250 ms).
   */
  faults: {
    kind: string;
    target: string;
    duration_ms: number;
    heal_ms: number | null;
    max_publish_delay_ms: number;
    max_consume_delay_ms: number;
    peak_consumer_lag: number;
  }[];
  /** The same pipeline figures outside every fault window (p99 and max), for comparison. */
  pipeline_steady: { publish_delay_p99_ms: number; consume_delay_p99_ms: number; consume_delay_max_ms: number };
  /** HAProxy's own log of abnormal requests, per phase: "status termination-state" → count. */
  haproxy_by_phase: Record<string, Record<string, number>>;
  faults_by_kind: Record<string, number>;
  requests: number;
  p99_steady_ms: number;
  /** 5xx and network errors per phase: steady, or the fault whose window they fell in. */
  errors_by_phase: Record<string, Record<string, number>>;
  slowest_ms: number;
  outbox: { events: number; unpublished: number; consumed_once: number; missing: number; extra: number };
  violations: string[];
  statuses: Record<string, number>;
  seconds: number;
}

export async function runTopology(o: TopologyOptions): Promise<TopologyResult> {
  const started = Date.now();
  const rnd = seeded(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const work = join(tmpdir(), `onegate-topo-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  const violations: string[] = [];
  try {
    // A database of its own.
    const dbName = `onegate_topo_${Date.now().toString(36)}${Math.floor(rnd() * 1e6)}`;
    const admin = new pg.Client({ connectionString: o.postgresAdminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: o.postgresAdminUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    });
    const dbUrl = new URL(o.postgresAdminUrl);
    dbUrl.pathname = `/${dbName}`;
    const pgPort = Number(dbUrl.port || 5432);
    const orm: Orm = await createOrm({ url: dbUrl.toString(), poolMax: 4 });
    cleanups.push(() => orm.close(true));
    await migrate(orm);

    // Kafka: the shared broker (never restarted), or one of our own on other ports.
    let brokers = o.sharedKafkaBrokers ?? '127.0.0.1:9092';
    let kafka: { restart(): Promise<void>; stop(): Promise<void> } | undefined;
    if (o.kafka === 'own') {
      const kport = await freePort();
      const cport = await freePort();
      const state = join(work, 'kafka');
      const env = { ...process.env, KAFKA_PORT: String(kport), KAFKA_CONTROLLER_PORT: String(cport), KAFKA_STATE_DIR: state };
      // Asynchronously: a spawnSync here froze the harness itself for the broker's ~20 s start, so
      // every request in flight was timed at 18 s and the checker and the workload stood still.
      const start = () =>
        new Promise<void>((resolve, reject) => {
          const c = spawn('bash', ['scripts/kafka.sh', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          c.stdout.on('data', (d: Buffer) => (out += d));
          c.stderr.on('data', (d: Buffer) => (out += d));
          c.on('error', reject);
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`own Kafka broker did not start: ${out}`))));
        });
      // Only our own broker's pid, from our own state dir: the shared one on 9092 is never touched.
      const stop = async () => {
        const pid = Number(readFileSync(join(state, 'broker.pid'), 'utf8'));
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          return;
        }
        for (let i = 0; i < 300; i++) {
          try {
            process.kill(pid, 0);
          } catch {
            return;
          }
          await sleep(100);
        }
        process.kill(pid, 'SIGKILL');
      };
      await start();
      brokers = `127.0.0.1:${kport}`;
      kafka = { restart: async () => (await stop(), start()), stop };
      cleanups.push(() => stop());
      o.log(`own Kafka broker on ${brokers}`);
    }

    // The providers: a process of their own (`npm run sandbox`), outside every replica, on stable
    // ports with stable credentials and their state on disk, so that like a real provider they are
    // one service for every replica and survive our crashes (and their own restarts: the nemesis
    // SIGKILLs them too). Each replica reaches them through a hop the nemesis can cut calls on.
    const haPort = await freePort();
    const gateway = `http://127.0.0.1:${haPort}`;
    const secret = () => randomUUID().replaceAll('-', '');
    const sandboxes: SandboxesUnderTest = {
      gopay: {
        url: `http://127.0.0.1:${await freePort()}`,
        credentials: { clientId: `topo-gopay-${secret().slice(0, 8)}`, clientSecret: secret(), partnerId: 'TOPOLOGY', webhookSecret: secret() },
        control: undefined!,
      },
      shopeepay: {
        url: `http://127.0.0.1:${await freePort()}`,
        credentials: { merchantId: `topo-merchant-${secret().slice(0, 8)}`, secret: secret(), webhookSecret: secret() },
        control: undefined!,
      },
    };
    sandboxes.gopay.control = new HttpSandboxControl(sandboxes.gopay.url);
    sandboxes.shopeepay.control = new HttpSandboxControl(sandboxes.shopeepay.url);
    const providerCredentials = {
      GOPAY_CLIENT_ID: sandboxes.gopay.credentials.clientId,
      GOPAY_CLIENT_SECRET: sandboxes.gopay.credentials.clientSecret,
      GOPAY_PARTNER_ID: sandboxes.gopay.credentials.partnerId,
      GOPAY_WEBHOOK_SECRET: sandboxes.gopay.credentials.webhookSecret,
      SHOPEEPAY_MERCHANT_ID: sandboxes.shopeepay.credentials.merchantId,
      SHOPEEPAY_SECRET: sandboxes.shopeepay.credentials.secret,
      SHOPEEPAY_WEBHOOK_SECRET: sandboxes.shopeepay.credentials.webhookSecret,
    };
    const sandboxAnswers = async () => {
      for (const sb of [sandboxes.gopay, sandboxes.shopeepay])
        if ((await fetch(`${sb.url}/sandbox/topups/none`, { signal: AbortSignal.timeout(2000) })).status !== 404) return false;
      return true;
    };
    const sandboxProcess = new Replica(
      'sandbox',
      'src/entrypoints/sandbox/main.ts',
      Number(new URL(sandboxes.gopay.url).port),
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        SANDBOX_STATE_DIR: join(work, 'sandbox'),
        SANDBOX_GOPAY_PORT: new URL(sandboxes.gopay.url).port,
        SANDBOX_SHOPEEPAY_PORT: new URL(sandboxes.shopeepay.url).port,
        SANDBOX_WEBHOOK_BASE_URL: `${gateway}/api/payment/webhooks`,
        // The providers' acceptance window, the same as the replicas are told below: after it a
        // top-up the provider never saw is final (NOT_FOUND), before it it stays PENDING (issue 10).
        SANDBOX_ACCEPTANCE_WINDOW_MS: '4000',
        ...providerCredentials,
      },
      work,
      sandboxAnswers,
    );
    await sandboxProcess.start();
    cleanups.push(() => sandboxProcess.kill('SIGTERM'));
    const gopayProxy = await TcpProxy.start(Number(new URL(sandboxes.gopay.url).port));
    const shopeeProxy = await TcpProxy.start(Number(new URL(sandboxes.shopeepay.url).port));
    cleanups.push(
      () => gopayProxy.stop(),
      () => shopeeProxy.stop(),
    );
    const viaProxy = (u: string, p: TcpProxy) => {
      const url = new URL(u);
      url.port = String(p.port);
      return url.toString().replace(/\/$/, '');
    };

    // One signing key for the auth replicas; the others verify through the JWKS behind HAProxy.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const topic = `topo-events-${Date.now().toString(36)}`;
    const group = `topo-${Date.now().toString(36)}`;
    const common: Record<string, string> = {
      NODE_ENV: 'development',
      REDIS_URL: o.redisUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_TRANSACTIONS: topic,
      KAFKA_TOPIC_USERS: `${topic}-users`,
      KAFKA_CONSUMER_GROUP: group,
      LOG_LEVEL: 'warn',
      HTTP_REQUEST_TIMEOUT_MS: String(o.requestTimeoutMs),
      OUTBOX_RELAY_LEASE_MS: '3000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      SHUTDOWN_GRACE_MS: '3000',
      DATABASE_POOL_MAX: '5',
    };
    const jwks = `${gateway}/api/auth/.well-known/jwks.json`;
    const paymentEnv = {
      GOPAY_BASE_URL: viaProxy(sandboxes.gopay.url, gopayProxy),
      SHOPEEPAY_BASE_URL: viaProxy(sandboxes.shopeepay.url, shopeeProxy),
      ...providerCredentials,
      EWALLET_TIMEOUT_MS: '1000',
      EWALLET_RETRIES: '1',
      PAYMENT_RECONCILE_INTERVAL_MS: '500',
      PAYMENT_RECONCILE_AFTER_SECONDS: '3',
      PAYMENT_RECONCILE_BACKOFF_MAX_MS: '2000',
      PAYMENT_RECONCILE_LEASE_MS: '5000',
      // The workload pays merchants out through its own bank (tests/support/bank-workload.ts) and
      // applies the answers itself; the replicas' payout checkers would ask their in-process
      // disbursement sandboxes, which never saw those transfers.
      PAYOUT_CHECK_ENABLED: 'false',
      // The sandbox process's acceptance window (SANDBOX_ACCEPTANCE_WINDOW_MS above).
      GOPAY_ACCEPTANCE_WINDOW_MS: '4000',
      SHOPEEPAY_ACCEPTANCE_WINDOW_MS: '4000',
    };
    const replicas = { auth: [] as Replica[], payment: [] as Replica[], transaction: [] as Replica[] };
    const pgProxies = new Map<Replica, TcpProxy>();
    for (let i = 1; i <= o.auth; i++) {
      replicas.auth.push(
        new Replica(
          `auth-${i}`,
          'src/entrypoints/auth/main.ts',
          await freePort(),
          { ...common, DATABASE_URL: dbUrl.toString(), JWT_PRIVATE_KEY: privatePem },
          work,
        ),
      );
    }
    for (let i = 1; i <= o.payment; i++) {
      // Each payment replica reaches PostgreSQL through its own hop, which the nemesis can partition.
      const proxy = await TcpProxy.start(pgPort);
      cleanups.push(() => proxy.stop());
      const viaPg = new URL(dbUrl);
      viaPg.hostname = '127.0.0.1';
      viaPg.port = String(proxy.port);
      const r = new Replica(
        `payment-${i}`,
        'src/entrypoints/payment/main.ts',
        await freePort(),
        { ...common, ...paymentEnv, DATABASE_URL: viaPg.toString(), JWKS_URL: jwks },
        work,
      );
      pgProxies.set(r, proxy);
      replicas.payment.push(r);
    }
    for (let i = 1; i <= o.transaction; i++) {
      replicas.transaction.push(
        new Replica(
          `transaction-${i}`,
          'src/entrypoints/transaction/main.ts',
          await freePort(),
          { ...common, DATABASE_URL: dbUrl.toString(), JWKS_URL: jwks },
          work,
        ),
      );
    }
    const all = [...replicas.auth, ...replicas.payment, ...replicas.transaction];
    cleanups.push(async () => {
      await Promise.all(all.map((r) => r.kill('SIGTERM')));
    });

    // HAProxy in front.
    const statsPort = await freePort();
    const cfg = join(work, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(haPort, replicas, statsPort, o.requestTimeoutMs + 5000));
    const check = spawnSync('haproxy', ['-c', '-f', cfg], { encoding: 'utf8' });
    if (check.error) throw new Error(`haproxy is not installed (apt-get install -y haproxy): ${check.error.message}`);
    if (check.status !== 0) throw new Error(`haproxy refused its config: ${check.stderr}${check.stdout}`);
    // Its log to a file: a pipe nobody reads would fill up and block HAProxy on its next line.
    const haLogFile = join(work, 'haproxy.log');
    const haLog = openSync(haLogFile, 'a');
    const haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', haLog, haLog] });
    closeSync(haLog);
    cleanups.push(() => void haproxy.kill('SIGTERM'));
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${statsPort}/ok`)).status === 200) break;
      } catch {
        if (i > 100) throw new Error('haproxy did not start');
        await sleep(100);
      }
    }
    // Auth first (the others fetch its JWKS through HAProxy), then the rest in parallel.
    await Promise.all(replicas.auth.map((r) => r.start()));
    await Promise.all([...replicas.payment, ...replicas.transaction].map((r) => r.start()));
    // HAProxy marks a server up after two good checks: wait until each backend routes (401 without a token, not HAProxy's 503).
    for (const path of ['/api/auth/me', '/api/payment/balance', '/api/transaction/me/histories']) {
      for (let ok = 0, i = 0; ok < 5; i++) {
        const status = await fetch(`${gateway}${path}`).then(
          (r) => r.status,
          () => 0,
        );
        ok = status === 401 ? ok + 1 : 0;
        if (i > 600) throw new Error(`haproxy does not route ${path} (last status ${status})`);
        await sleep(100);
      }
    }
    o.log(`up: ${all.map((r) => `${r.name}:${r.port}`).join(' ')} behind haproxy ${gateway} (${Math.round((Date.now() - started) / 1000)} s)`);

    // Customers, funded from FUNDING through the journal.
    const conn = orm.em.getConnection();
    const n = 20;
    await conn.execute(
      `insert into users (username, email, phone, password) select 'topo' || g, 'topo' || g || '@example.com', '+62816' || lpad(g::text, 8, '0'), 'x' from generate_series(1, ${n}) g`,
    );
    // Identity-verified (REGISTERED) customers, as the test fixtures create them: the bank workload
    // itself turns every fourth client UNREGISTERED, so the tiers' refusals stay in the mix without
    // refusing most transfers.
    await conn.execute(`insert into accounts (user_id, kyc_tier) select id, 'REGISTERED' from users where username like 'topo%'`);
    const users = (await conn.execute(
      `select u.id, u.username, u.phone, a.id as account_id from users u join accounts a on a.user_id = u.id where u.username like 'topo%' order by u.id`,
    )) as {
      id: number;
      username: string;
      phone: string;
      account_id: string;
    }[];
    const tokens = new JwtAccessTokenService(
      loadJwtKeys(loadConfig({ JWT_PRIVATE_KEY: privatePem })),
      { issuer: 'one-gate-payment', audience: 'one-gate-payment-api', ttlSeconds: 3600 },
      new InMemoryKeyValueStore(),
    );
    const [adminRow] = (await conn.execute(
      `insert into users (username, email, phone, password, role) values ('topo_admin', 'topo_admin@example.com', '+6281699999999', 'x', 'ADMIN') returning id`,
    )) as [{ id: number }];
    const adminToken = tokens.issue({ userId: adminRow.id, username: 'topo_admin', role: 'ADMIN', sessionId: randomUUID() }).token;
    const credit = new CreditAccountHandler(new PostgresAccountRepository(orm), new PostgresLedgerRepository(orm, { topic }));
    for (const u of users) await credit.execute({ accountId: u.account_id, amount: Money.parse('5000000.00'), operator: 'topology' });
    for (const u of users) for (const sb of [sandboxes.gopay, sandboxes.shopeepay]) await sb.control.registerWallet(u.phone, { name: u.username });
    const clients: BankClient[] = users.map((u) => ({
      userId: u.id,
      username: u.username,
      phone: u.phone,
      token: tokens.issue({ userId: u.id, username: u.username, role: 'USER', sessionId: randomUUID() }).token,
    }));
    const initial = await ledgerSnapshot(orm);

    // Every request through HAProxy is recorded: when, how long, what came back.
    const records: RequestRecord[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(gateway)) return realFetch(input, init);
      const rec: RequestRecord = { start: Date.now(), end: 0, status: 0, error: '', path: new URL(url).pathname };
      records.push(rec);
      try {
        const res = await realFetch(input, init);
        rec.status = res.status;
        if (res.status >= 500) {
          const body = await res
            .clone()
            .json()
            .catch(() => null);
          rec.error = (body as { meta?: { error?: string } } | null)?.meta?.error ?? 'NON_JSON';
        }
        rec.end = Date.now();
        return res;
      } catch (err) {
        rec.end = Date.now();
        rec.error = (err as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK';
        throw err;
      }
    };
    cleanups.push(() => void (globalThis.fetch = realFetch));

    const workloadStart = Date.now();
    const settleMs = o.settleMs ?? 8000;
    // The nemesis, on the seeded schedule.
    const faults: FaultRecord[] = [];
    let running = true;
    // Longer than every lease: the Idempotency-Key claim (request timeout + 5 s), the relay's (3 s), the
    // reconciler's claim (5 s) and the consumer session (6 s).
    const stopMs = Math.max(o.requestTimeoutMs + 5000, 6000) + 2000;
    const nemesis = (async () => {
      await sleep(4000); // a steady baseline first (errors in it are violations, like any outside a fault)
      while (running) {
        const kind = o.ordered ? o.faults[faults.length % o.faults.length]! : pick(o.faults);
        const rec: FaultRecord = { kind, target: '', start: Date.now(), healedAt: 0, end: 0 };
        try {
          if (kind === 'kill-payment') {
            const victims = rnd() < 0.3 && replicas.payment.length > 2 ? [pick(replicas.payment), pick(replicas.payment)] : [pick(replicas.payment)];
            const unique = [...new Set(victims)];
            rec.target = unique.map((r) => r.name).join('+');
            await Promise.all(unique.map((r) => r.kill('SIGKILL')));
            await sleep(500 + rnd() * 1500);
            rec.healedAt = Date.now();
            await Promise.all(unique.map((r) => r.start()));
          } else if (kind === 'stop-payment') {
            const r = pick(replicas.payment);
            rec.target = r.name;
            r.signal('SIGSTOP');
            await sleep(stopMs);
            r.signal('SIGCONT');
            rec.healedAt = Date.now();
          } else if (kind === 'partition-payment') {
            const r = pick(replicas.payment);
            rec.target = `${r.name}↮postgres`;
            pgProxies.get(r)!.partition();
            await sleep(o.partitionMs);
            pgProxies.get(r)!.heal();
            rec.healedAt = Date.now();
          } else if (kind === 'kill-transaction' || kind === 'term-transaction') {
            // SIGKILL: the group waits for the session timeout; SIGTERM: the consumer leaves the group at once.
            const r = pick(replicas.transaction);
            rec.target = r.name;
            await r.kill(kind === 'kill-transaction' ? 'SIGKILL' : 'SIGTERM');
            await sleep(500 + rnd() * 1000);
            rec.healedAt = Date.now();
            await r.start();
          } else if (kind === 'restart-kafka') {
            if (!kafka) throw new Error('restart-kafka needs the harness own broker');
            rec.target = 'kafka';
            await kafka.restart();
            rec.healedAt = Date.now();
          } else if (kind === 'cut-sandbox') {
            rec.target = 'sandboxes';
            const cut = gopayProxy.cut() + shopeeProxy.cut();
            rec.target = `sandboxes (${cut} connections)`;
            rec.healedAt = Date.now();
          } else if (kind === 'restart-sandbox') {
            // The provider's own crash: calls in flight die with it; wallets and top-ups are on its disk.
            rec.target = 'sandbox process';
            await sandboxProcess.kill('SIGKILL');
            await sleep(500 + rnd() * 1000);
            await sandboxProcess.start();
            rec.healedAt = Date.now();
          }
        } catch (err) {
          violations.push(`nemesis ${kind} ${rec.target}: ${(err as Error).message.slice(0, 500)}`);
        }
        rec.end = Date.now();
        faults.push(rec);
        o.log(`fault ${faults.length}: ${kind} ${rec.target} (${rec.end - rec.start} ms)`);
        // The fault's window (settleMs) is left alone, then a calm of steady state before the next.
        await sleep(settleMs + o.calmMs[0] + rnd() * (o.calmMs[1] - o.calmMs[0]));
      }
    })();

    const stats = { statuses: {} as Record<string, number>, violations: [] as string[] };
    let operations = 0;
    const minFaults = o.minFaults ?? 0;
    const roundOps = Math.min(o.operations, 250);
    let stoppedEarly = false;
    while (operations < o.operations || faults.length < minFaults) {
      if (o.stopRequested?.()) {
        stoppedEarly = true;
        break;
      }
      const round = await runBankWorkload({
        baseUrl: () => gateway,
        orm,
        clients,
        adminToken,
        sandboxes,
        operations: roundOps,
        concurrency: o.concurrency,
        faults: true,
        eventsTopic: topic,
      });
      operations += roundOps;
      o.log(`${operations} operations, ${faults.length} faults so far`);
      stats.violations.push(...round.violations);
      for (const [k, v] of Object.entries(round.statuses)) stats.statuses[k] = (stats.statuses[k] ?? 0) + v;
    }
    running = false;
    await nemesis;
    violations.push(...stats.violations);
    o.log(`workload done: ${operations} operations, ${faults.length} faults (${Math.round((Date.now() - started) / 1000)} s)`);

    // Settle what the providers still hold, wait for PENDING to drain and the outbox to be consumed.
    const deadline = Date.now() + 90_000;
    let state = { pending: -1, unpublished: -1, missing: -1 };
    while (Date.now() < deadline) {
      const rows = (await conn.execute(`select transaction_id from historical_transactions where transaction_status = 'PENDING'`)) as {
        transaction_id: string;
      }[];
      for (const sb of [sandboxes.gopay, sandboxes.shopeepay])
        for (const r of rows) if ((await sb.control.topUp(r.transaction_id))?.status === 'PENDING') await sb.control.settle(r.transaction_id, 'SUCCESS');
      const [s] = (await conn.execute(
        `select (select count(*) from outbox_events where published_at is null)::int as unpublished,
                (select count(*) from outbox_events o where o.topic = ? and o.event_type like 'transaction.%'
                   and not exists (select 1 from processed_messages p where p.consumer = ? and p.event_id = o.id::text))::int as missing`,
        [topic, group],
      )) as [{ unpublished: number; missing: number }];
      state = { pending: rows.length, ...s };
      if (state.pending === 0 && state.unpublished === 0 && state.missing === 0) break;
      await sleep(1000);
    }
    violations.push(...(await finalInvariants(orm, initial.total, sandboxes)));

    // The outbox and the read model: every event published, consumed exactly once, reports = SQL over history.
    const [outbox] = (await conn.execute(
      `select (select count(*) from outbox_events where topic = ? and event_type like 'transaction.%')::int as events,
              (select count(*) from outbox_events where published_at is null)::int as unpublished,
              (select count(*) from processed_messages p where p.consumer = ? and exists (select 1 from outbox_events o where o.id::text = p.event_id))::int as consumed,
              (select count(*) from processed_messages p where p.consumer = ? and not exists (select 1 from outbox_events o where o.id::text = p.event_id))::int as extra`,
      [topic, group, group],
    )) as [{ events: number; unpublished: number; consumed: number; extra: number }];
    if (outbox.unpublished > 0) violations.push(`${outbox.unpublished} outbox events never published`);
    if (state.missing > 0) violations.push(`${state.missing} transaction events never consumed into the read model`);
    if (outbox.extra > 0) violations.push(`${outbox.extra} consumed events that the outbox never held`);
    const [readModel] = (await conn.execute(
      `select count(*)::int as n from historical_transactions h full join transaction_report_rows r using (transaction_id)
        where h.transaction_id is null or r.transaction_id is null or h.transaction_status <> r.transaction_status or h.amount <> r.amount or h.transaction_type <> r.transaction_type`,
    )) as [{ n: number }];
    if (readModel.n > 0) violations.push(`${readModel.n} transactions whose read-model row differs from the history`);
    const [aggregates] = (await conn.execute(
      `select count(*)::int as n from (
         select day, transaction_type, transaction_status, payment_method, is_accessible_external, count(*)::bigint as c, sum(amount) as s
           from transaction_report_rows group by 1, 2, 3, 4, 5) x
         full join (select * from transaction_daily_aggregates where tx_count <> 0) a using (day, transaction_type, transaction_status, payment_method, is_accessible_external)
        where x.c is distinct from a.tx_count or x.s is distinct from a.amount`,
    )) as [{ n: number }];
    if (aggregates.n > 0) violations.push(`${aggregates.n} report aggregates differ from a direct aggregate of the read model`);

    // Requests: none past its timeout; 5xx and network errors by phase; heal time per fault.
    const done = records.filter((r) => r.end > 0);
    const limit = o.requestTimeoutMs + 5000 + 2000; // HAProxy's server timeout, plus slack for a loaded machine
    const slowest = done.reduce((m, r) => Math.max(m, r.end - r.start), 0);
    const windowEnd = (f: FaultRecord) => f.end + settleMs;
    // A request belongs to the fault whose window it overlaps, not only to the one it started in: a
    // request in flight when a replica is killed fails because of that fault. (The "warm-up" 502s and
    // resets of earlier runs were exactly these: requests sent just before the first fault, which
    // comes 3 s into the load, dying with the replica it killed, counted by their start as warm-up.)
    const faultOf = (start: number, end: number) => faults.find((f) => start <= windowEnd(f) && end >= f.start);
    for (const r of done) {
      if (r.end - r.start > limit)
        violations.push(
          `request ${r.path} took ${r.end - r.start} ms (limit ${limit} ms) at +${r.start - workloadStart} ms, during ${faultOf(r.start, r.end)?.kind ?? 'steady state'}`,
        );
    }
    const byPhase: Record<string, Record<string, number>> = {};
    // 502/503 with a provider's error code are the sandboxes' injected faults, answered honestly.
    const providerCodes = new Set(['PROVIDER_UNAVAILABLE', 'TOPUP_FAILED', 'PROVIDER_ERROR', 'PROVIDER_TIMEOUT']);
    for (const r of done) {
      const bad = r.status === 0 || (r.status >= 500 && !providerCodes.has(r.error));
      if (!bad) continue;
      const f = faultOf(r.start, r.end);
      const label = `${r.status || ''} ${r.error}`.trim();
      (byPhase[f?.kind ?? 'steady'] ??= {})[label] = (byPhase[f?.kind ?? 'steady']![label] ?? 0) + 1;
      if (!f) violations.push(`${label} on ${r.path} at +${r.start - workloadStart} ms outside every fault window`);
    }
    const quantile = (xs: number[], q: number) => (xs.length ? xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : 0);
    const steady = done.filter((r) => !faultOf(r.start, r.end)).map((r) => r.end - r.start);
    const p99 = quantile(steady, 0.99);
    const healOf = (f: FaultRecord): number | null => {
      // The first 1-second window after the fault began whose p99 is back near steady state and free of errors.
      const to = windowEnd(f) + 20_000;
      for (let t = f.start; t < to; t += 250) {
        const w = done.filter((r) => r.start >= t && r.start < t + 1000);
        if (w.length < 3) continue;
        const ok = w.every((r) => r.status !== 0 && (r.status < 500 || providerCodes.has(r.error)));
        if (
          ok &&
          quantile(
            w.map((r) => r.end - r.start),
            0.99,
          ) <= Math.max(2 * p99, p99 + 250) &&
          t >= (f.healedAt || f.start)
        )
          return t - f.start;
      }
      return null;
    };
    // The outbox pipeline, from the timestamps the database kept (created_at → published_at →
    // processed_at of the read model's consumer): no sampling during the run, nothing to perturb it.
    const pipeline = async (from: number, to: number) => {
      const [row] = (await conn.execute(
        `with ev as (
           select o.created_at as c, o.published_at as p, m.processed_at as m
             from outbox_events o left join processed_messages m on m.consumer = ? and m.event_id = o.id::text
            where o.topic = ? and o.event_type like 'transaction.%' and o.created_at between to_timestamp(? / 1000.0) and to_timestamp(? / 1000.0))
         select coalesce(max(extract(epoch from p - c) * 1000), 0)::int as publish,
                coalesce(max(extract(epoch from m - p) * 1000), 0)::int as consume,
                coalesce((select max((select count(*) from ev where p <= t and m > t)) from generate_series(to_timestamp(? / 1000.0), to_timestamp(? / 1000.0), interval '250 ms') t), 0)::int as lag
           from ev`,
        [group, topic, from, to, from, to + 5000],
      )) as [{ publish: number; consume: number; lag: number }];
      return row;
    };
    const faultsOut = [];
    for (const f of faults) {
      const pipe = await pipeline(f.start, windowEnd(f));
      faultsOut.push({
        kind: f.kind,
        target: f.target,
        duration_ms: f.end - f.start,
        heal_ms: healOf(f),
        max_publish_delay_ms: pipe.publish,
        max_consume_delay_ms: pipe.consume,
        peak_consumer_lag: pipe.lag,
      });
    }
    const steadyWindows = faults
      .map((f) => `and not (o.created_at between to_timestamp(${f.start} / 1000.0) and to_timestamp(${windowEnd(f)} / 1000.0))`)
      .join(' ');
    const [steadyPipe] = (await conn.execute(
      `select coalesce(percentile_disc(0.99) within group (order by extract(epoch from o.published_at - o.created_at) * 1000), 0)::int as publish,
              coalesce(percentile_disc(0.99) within group (order by extract(epoch from m.processed_at - o.published_at) * 1000), 0)::int as consume,
              coalesce(max(extract(epoch from m.processed_at - o.published_at) * 1000), 0)::int as consume_max
         from outbox_events o join processed_messages m on m.consumer = ? and m.event_id = o.id::text
        where o.topic = ? and o.event_type like 'transaction.%' and o.created_at >= to_timestamp(${workloadStart} / 1000.0) ${steadyWindows}`,
      [group, topic],
    )) as [{ publish: number; consume: number; consume_max: number }];
    // HAProxy's account of every abnormal request (its log: "<epoch ms> <status> <termination state> …").
    const haByPhase: Record<string, Record<string, number>> = {};
    if (existsSync(haLogFile)) {
      for (const line of readFileSync(haLogFile, 'utf8').split('\n')) {
        const m = /^(\d{13}) (\d{3}) (\S{2})\S* \S+ \S+\/(-?\d+) /.exec(line);
        if (!m || (Number(m[2]) < 500 && m[3] === '--')) continue; // retried or redispatched, then answered: not an error
        const t = Number(m[1]);
        const f = faultOf(t, t + Math.max(0, Number(m[4])));
        const phase = f ? f.kind : t < workloadStart ? 'start-up' : 'steady';
        const label = `${m[2]} ${m[3]}`;
        (haByPhase[phase] ??= {})[label] = (haByPhase[phase]![label] ?? 0) + 1;
      }
    }
    const byKind: Record<string, number> = {};
    for (const f of faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    if (violations.length) {
      for (const r of all) writeFileSync(join(work, `${r.name}.log`), r.output());
      o.log(`replica logs in ${work}`);
    }
    return {
      operations,
      stopped_early: stoppedEarly,
      faults: faultsOut,
      pipeline_steady: { publish_delay_p99_ms: steadyPipe.publish, consume_delay_p99_ms: steadyPipe.consume, consume_delay_max_ms: steadyPipe.consume_max },
      haproxy_by_phase: haByPhase,
      faults_by_kind: byKind,
      requests: done.length,
      p99_steady_ms: p99,
      errors_by_phase: byPhase,
      slowest_ms: slowest,
      outbox: { events: outbox.events, unpublished: outbox.unpublished, consumed_once: outbox.consumed, missing: state.missing, extra: outbox.extra },
      violations,
      statuses: stats.statuses,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
    if (violations.length === 0) rmSync(work, { recursive: true, force: true });
  }
}
