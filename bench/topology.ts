// The bank test on the real topology (issue 16; README "Several replicas", docs/RELIABILITY.md):
// auth ×2, payment ×3, transaction ×2 as separate processes behind HAProxy, the sandboxes outside
// them, a broker of the harness's own (port and data dir of its own: the shared 127.0.0.1:9092 is
// never touched), and a seeded nemesis.
//   node bench/topology.ts            TOPO_OPS=20000 TOPO_MIN_FAULTS=20 TOPO_SEED=16 TOPO_FAULTS=all TOPO_KAFKA=own
// Needs haproxy (apt-get install -y haproxy), PostgreSQL on 5432 and Redis (TOPO_REDIS_URL, DB 12 by default).
import { runTopology, type FaultKind } from './lib/topology.ts';

// Each kind at least once in the first rounds (TOPO_ORDERED=1, the default), then at random; a
// payment kill picks two replicas at once with probability 0.3.
const all: FaultKind[] = [
  'kill-payment',
  'stop-payment',
  'partition-payment',
  'kill-transaction',
  'restart-kafka',
  'cut-sandbox',
  'term-transaction',
  'restart-sandbox',
  'kill-payment',
  'cut-sandbox',
];
const own = (process.env.TOPO_KAFKA ?? 'own') === 'own';
const faults =
  (process.env.TOPO_FAULTS ?? 'all') === 'all' ? all.filter((f) => own || f !== 'restart-kafka') : (process.env.TOPO_FAULTS!.split(',') as FaultKind[]);
// SIGUSR2: end the workload after its current round (on a machine too loaded to reach TOPO_OPS in
// time); every check still runs, and the result says stopped_early.
let stop = false;
process.once('SIGUSR2', () => {
  stop = true;
  console.error('topology: SIGUSR2, ending the workload after this round');
});
const result = await runTopology({
  stopRequested: () => stop,
  auth: Number(process.env.TOPO_AUTH ?? 2),
  payment: Number(process.env.TOPO_PAYMENT ?? 3),
  transaction: Number(process.env.TOPO_TRANSACTION ?? 2),
  kafka: own ? 'own' : 'shared',
  sharedKafkaBrokers: process.env.TOPO_KAFKA_BROKERS,
  postgresAdminUrl: process.env.TOPO_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.TOPO_REDIS_URL ?? 'redis://127.0.0.1:6379/12',
  seed: Number(process.env.TOPO_SEED ?? 16),
  operations: Number(process.env.TOPO_OPS ?? 20000),
  concurrency: Number(process.env.TOPO_CONCURRENCY ?? 8),
  faults,
  ordered: (process.env.TOPO_ORDERED ?? '1') !== '0',
  minFaults: Number(process.env.TOPO_MIN_FAULTS ?? 20),
  calmMs: [3000, 8000],
  partitionMs: Number(process.env.TOPO_PARTITION_MS ?? 20000),
  requestTimeoutMs: Number(process.env.TOPO_REQUEST_TIMEOUT_MS ?? 10000),
  log: (line) => console.error(`topology: ${new Date().toISOString().slice(11, 19)} ${line}`),
});
console.log(JSON.stringify(result, null, 2));
process.exit(result.violations.length ? 1 : 0);
