import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as coreV1 from 'kubernetes-models/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import { loadConfig } from '../../src/entrypoints/shared/config.ts';
import { clientIp } from '../../src/adapters/http/app.ts';
import { containersOf, kustomize, podSpecOf, readYamlDocuments, repoPath, type Container, type K8sObject } from './support/kustomize.ts';
import { connectionAllowed, type Endpoint } from './support/network-policy.ts';

/*
 * The Kubernetes/OpenShift manifests: both overlays rendered (as `kubectl kustomize` would),
 * every object validated against the Kubernetes schemas (kubernetes-models), and the numbers
 * of the design checked.
 */

const render = (env: 'dev' | 'prod') => kustomize(repoPath('k8s', 'overlays', env));
const overlays = { dev: render('dev'), prod: render('prod') };
const find = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} is missing`);
  return o as K8sObject & { spec: Record<string, any>; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const containerOf = (o: K8sObject) => (podSpecOf(o)!.containers as Container[])[0]! as Container & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SERVICES = [
  { name: 'auth-service', arg: 'auth', requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' }, hpa: [2, 10] },
  { name: 'payment-service', arg: 'payment', requests: { cpu: '300m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' }, hpa: [3, 15] },
  { name: 'transaction-service', arg: 'transaction', requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' }, hpa: [2, 8] },
] as const;

type Model = new (data: unknown) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'policy/v1': policyV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
};

/** The kubernetes-models class for an object: the schema it is validated against. */
async function modelFor(o: K8sObject): Promise<Model> {
  const model = MODELS[o.apiVersion]?.[o.kind] as Model | undefined;
  if (!model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return model;
}

// kubernetes-models' schemas accept unknown fields; a misspelt field would be silently ignored by
// the API server too, so the places where typos hide are checked against the API's field names.
const CONTAINER_FIELDS = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
]);
const POD_FIELDS = new Set([
  'containers',
  'initContainers',
  'volumes',
  'serviceAccountName',
  'automountServiceAccountToken',
  'terminationGracePeriodSeconds',
  'securityContext',
  'topologySpreadConstraints',
  'restartPolicy',
  'affinity',
  'nodeSelector',
  'tolerations',
  'priorityClassName',
]);

describe.each(['dev', 'prod'] as const)('the %s overlay', (env) => {
  const objects = overlays[env];

  it('renders, and every object is valid against the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const o of objects) {
      const Model = await modelFor(o);
      try {
        new Model(o).validate();
      } catch (err) {
        problems.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
      }
      const pod = podSpecOf(o);
      if (pod) {
        for (const k of Object.keys(pod)) if (!POD_FIELDS.has(k)) problems.push(`${o.kind}/${o.metadata.name}: unknown pod field ${k}`);
        for (const c of [...(pod.containers as Container[]), ...((pod.initContainers as Container[]) ?? [])])
          for (const k of Object.keys(c)) if (!CONTAINER_FIELDS.has(k)) problems.push(`${o.kind}/${o.metadata.name}: unknown container field ${k}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`puts everything in the onegate-${env} namespace, restricted by Pod Security Admission`, () => {
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(`onegate-${env}`);
    expect(find(objects, 'Namespace', `onegate-${env}`).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('runs every container the way OpenShift’s restricted SCC requires', () => {
    for (const o of objects) {
      const pod = podSpecOf(o);
      if (!pod) continue;
      const where = `${o.kind}/${o.metadata.name}`;
      const podSc = pod.securityContext as Record<string, unknown>;
      expect(podSc?.runAsNonRoot, where).toBe(true);
      expect(podSc?.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
      // The SCC assigns the UID from the namespace's range: a fixed one would be refused.
      expect(podSc?.runAsUser, where).toBeUndefined();
      expect(pod.hostNetwork ?? false, where).toBe(false);
      for (const v of (pod.volumes as Record<string, unknown>[]) ?? []) expect(v.hostPath, where).toBeUndefined();
      for (const c of containersOf([o])) {
        const sc = c.securityContext as Record<string, unknown>;
        expect(sc?.allowPrivilegeEscalation, `${where}/${c.name}`).toBe(false);
        expect(sc?.runAsNonRoot, `${where}/${c.name}`).toBe(true);
        expect(sc?.privileged ?? false, `${where}/${c.name}`).toBe(false);
        expect(sc?.runAsUser, `${where}/${c.name}`).toBeUndefined();
        expect((sc?.capabilities as { drop?: string[] })?.drop, `${where}/${c.name}`).toEqual(['ALL']);
        expect((sc?.capabilities as { add?: string[] })?.add, `${where}/${c.name}`).toBeUndefined();
        expect(c.resources, `${where}/${c.name} needs requests and limits`).toMatchObject({ requests: expect.any(Object), limits: expect.any(Object) });
      }
    }
  });

  it('keeps real secrets out: no Secret is rendered, only referenced', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const referenced = new Set(
      containersOf(objects)
        .flatMap((c) => [
          ...((c.envFrom as { secretRef?: { name: string } }[]) ?? []).map((e) => e.secretRef?.name),
          ...((c.env as { valueFrom?: { secretKeyRef?: { name: string } } }[]) ?? []).map((e) => e.valueFrom?.secretKeyRef?.name),
        ])
        .filter(Boolean),
    );
    expect([...referenced].sort()).toEqual(['kong-secrets', 'onegate-datastores', 'onegate-secrets']);
  });

  it('exposes Kong only: one Ingress, to Kong, and no Service reachable from outside', () => {
    const ingresses = objects.filter((o) => ['Ingress', 'Route'].includes(o.kind));
    expect(ingresses.map((o) => o.metadata.name)).toEqual(['kong']);
    const backends = JSON.stringify(ingresses[0]!.spec).match(/"service":\{"name":"([^"]+)"/g);
    expect(backends).toEqual(['"service":{"name":"kong"']);
    for (const s of objects.filter((o) => o.kind === 'Service')) expect((s.spec as { type?: string }).type ?? 'ClusterIP', s.metadata.name).toBe('ClusterIP');
  });

  it('runs Kong DB-less with kong.yml and without its Admin API', () => {
    const env = (containerOf(find(objects, 'Deployment', 'kong')).env as { name: string; value?: string }[]).reduce<Record<string, string | undefined>>(
      (a, e) => ({ ...a, [e.name]: e.value }),
      {},
    );
    expect(env.KONG_DATABASE).toBe('off');
    expect(env.KONG_ADMIN_LISTEN).toBe('off');
    expect(env.KONG_ADMIN_GUI_LISTEN).toBe('off');
    expect(find(objects, 'ConfigMap', 'kong-declarative').data!['kong.yml']).toBe(readFileSync(repoPath('kong.yml'), 'utf8'));
  });

  it('migrates with a Job from the same image, and creates transaction-events with 3 partitions', () => {
    const job = find(objects, 'Job', 'onegate-migrate');
    const image = containerOf(find(objects, 'Deployment', 'auth-service')).image;
    expect(containerOf(job).image).toBe(image);
    expect(containerOf(job).args).toEqual(['migrate']);
    const topics = containerOf(find(objects, 'Job', 'kafka-create-topics')).args.join(' ');
    expect(topics).toContain('--topic transaction-events');
    expect(find(objects, 'ConfigMap', 'kafka-config').data!.TOPIC_PARTITIONS).toBe('3');
  });

  it('gives the services a configuration the code accepts', () => {
    const data = find(objects, 'ConfigMap', 'onegate-config').data!;
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const undocumented = Object.keys(data).filter((key) => !readme.includes(`\`${key}\``));
    expect(undocumented, 'variables missing from the README configuration table').toEqual([]);
    // With the Secret's values added, the configuration loads as it would in the pod.
    const config = loadConfig({
      ...data,
      DATABASE_URL: 'postgresql://u:p@postgres:5432/onegate',
      REDIS_URL: 'redis://:p@redis:6379/0',
      JWT_PUBLIC_KEYS: 'pem',
    });
    expect(config.NODE_ENV).toBe('production');
    expect(config.embedded).toBe(false);
  });

  it('has PostgreSQL with a 20Gi volume, 2Gi of memory and one CPU', () => {
    const pg = find(objects, 'StatefulSet', 'postgres');
    expect(containerOf(pg).resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(pg.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(containerOf(pg).image).toMatch(/^postgres:17/);
  });

  it('never evicts sessions or rate limits: noeviction for state, allkeys-lru only for the separate cache', () => {
    const policy = (name: string) => (containerOf(find(objects, 'StatefulSet', name)).args as string[]).join(' ').match(/--maxmemory-policy (\S+)/)?.[1];
    expect(policy('redis')).toBe('noeviction');
    expect(policy('redis-cache')).toBe('allkeys-lru');
    for (const name of ['redis', 'redis-cache']) expect(containerOf(find(objects, 'StatefulSet', name)).resources.limits.memory).toBe('512Mi');
    // The services' REDIS_URL (sessions, rate limits, idempotency) is the noeviction instance.
    const template = readYamlDocuments(repoPath('k8s', 'base', 'secrets', 'onegate-secrets.template.yaml'))[0] as unknown as {
      stringData: Record<string, string>;
    };
    expect(new URL(template.stringData.REDIS_URL!).hostname).toBe('redis');
  });

  it('enforces default-deny networking with only the flows the design allows', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const deny = find(objects, 'NetworkPolicy', 'default-deny-all');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const pod = (name: string): Endpoint => {
      const o = objects.find((x) => podSpecOf(x) && x.metadata.name === name)!;
      return { labels: (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels, namespace: `onegate-${env}` };
    };
    const router: Endpoint = { labels: {}, namespace: 'openshift-ingress', namespaceLabels: { 'network.openshift.io/policy-group': 'ingress' } };
    const internet: Endpoint = { ip: '203.0.113.10' };
    const allowed = (from: Endpoint, to: Endpoint, port: number) => connectionAllowed(policies, from, to, port);

    expect(allowed(router, pod('kong'), 8000)).toBe(true);
    for (const s of SERVICES) {
      expect(allowed(pod('kong'), pod(s.name), 8080), `kong → ${s.name}`).toBe(true);
      expect(allowed(router, pod(s.name), 8080), `router → ${s.name} must go through Kong`).toBe(false);
      expect(allowed(pod(s.name), pod('postgres'), 5432), `${s.name} → postgres`).toBe(true);
      expect(allowed(pod(s.name), pod('redis'), 6379), `${s.name} → redis`).toBe(true);
      expect(allowed(pod(s.name), pod('kafka'), 9092), `${s.name} → kafka`).toBe(true);
      expect(allowed(pod(s.name), pod('otel-collector'), 4318), `${s.name} → otel`).toBe(true);
    }
    expect(allowed(pod('onegate-migrate'), pod('postgres'), 5432)).toBe(true);
    const monitoring: Endpoint = { labels: { app: 'prometheus' }, namespace: 'monitoring' };
    expect(allowed(pod('kafka-exporter'), pod('kafka'), 9092)).toBe(true);
    expect(allowed(monitoring, pod('kafka-exporter'), 9308)).toBe(true);
    expect(allowed(monitoring, pod('payment-service'), 8080)).toBe(true);
    expect(allowed(pod('kafka-create-topics'), pod('kafka'), 9092)).toBe(true);
    expect(allowed(pod('kafka'), pod('kafka'), 9093)).toBe(true);
    expect(allowed(pod('payment-service'), internet, 443)).toBe(true);
    expect(allowed(pod('payment-service'), { ip: '10.1.2.3' }, 443)).toBe(false);
    expect(allowed(pod('auth-service'), internet, 443)).toBe(false);
    expect(allowed(pod('transaction-service'), internet, 443)).toBe(false);
    expect(allowed(pod('kong'), pod('postgres'), 5432)).toBe(false);
    expect(allowed(pod('kong'), internet, 443)).toBe(false);
    expect(allowed(pod('postgres'), internet, 443)).toBe(false);
  });

  it('lets no client choose its address: X-Forwarded-For is read only as far as our own proxies (router, Kong) wrote it', () => {
    const data = find(objects, 'ConfigMap', 'onegate-config').data!;
    const config = loadConfig({
      ...data,
      DATABASE_URL: 'postgresql://u:p@postgres:5432/onegate',
      REDIS_URL: 'redis://:p@redis:6379/0',
      JWT_PUBLIC_KEYS: 'pem',
    });
    // The chain in front of the services: one Ingress (router) → Kong → service, each appending one entry.
    const ingresses = objects.filter((o) => ['Ingress', 'Route'].includes(o.kind));
    expect(ingresses).toHaveLength(1);
    expect(config.TRUSTED_PROXY_HOPS).toBe(2);
    const trusted = config.TRUSTED_PROXIES.split(',');
    const kongPod = '10.128.4.20';
    const routerPod = '10.129.0.7';
    // A client on a private address (VPN, SNAT: inside the trusted ranges) sends its own header.
    const spoofed = '10.10.10.10, 10.20.30.40';
    // The router appends what it saw (10.20.30.40), Kong appends the router's address.
    expect(clientIp(kongPod, `${spoofed}, 10.20.30.40, ${routerPod}`, trusted, config.TRUSTED_PROXY_HOPS)).toBe('10.20.30.40');
    expect(clientIp(kongPod, `10.10.10.10, 198.51.100.7, ${routerPod}`, trusted, config.TRUSTED_PROXY_HOPS)).toBe('198.51.100.7');
    // Kong itself believes the router by its one right-most entry, never walking into the client's.
    const kong = (containerOf(find(objects, 'Deployment', 'kong')).env as { name: string; value?: string }[]).reduce<Record<string, string | undefined>>(
      (a, e) => ({ ...a, [e.name]: e.value }),
      {},
    );
    expect(kong.KONG_REAL_IP_HEADER).toBe('X-Forwarded-For');
    expect(kong.KONG_REAL_IP_RECURSIVE).toBe('off');
    // Only Kong, the services and monitoring can reach a service's port at all: nothing else can pose as the proxy.
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const labelsOf = (name: string) =>
      (objects.find((x) => podSpecOf(x) && x.metadata.name === name)!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
        .labels;
    const other: Endpoint = { labels: { app: 'anything-else' }, namespace: `onegate-${env}` };
    const elsewhere: Endpoint = { labels: {}, namespace: 'another-team', namespaceLabels: { 'kubernetes.io/metadata.name': 'another-team' } };
    for (const s of SERVICES) {
      const target: Endpoint = { labels: labelsOf(s.name), namespace: `onegate-${env}` };
      expect(connectionAllowed(policies, other, target, 8080), `a stray pod → ${s.name}`).toBe(false);
      expect(connectionAllowed(policies, elsewhere, target, 8080), `another namespace → ${s.name}`).toBe(false);
    }
  });
});

describe('the services', () => {
  it.each(SERVICES)('$name: one image, its entrypoint, the design’s resources, probes and graceful stop', (s) => {
    for (const env of ['dev', 'prod'] as const) {
      const d = find(overlays[env], 'Deployment', s.name);
      const c = containerOf(d);
      expect(c.args).toEqual([s.arg]);
      expect(c.image).toMatch(/one-gate-payment:/);
      expect(c.resources).toEqual({ requests: s.requests, limits: s.limits });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      // SIGTERM drain (SHUTDOWN_GRACE_MS) after the preStop pause fits in the grace period.
      const grace = Number(find(overlays[env], 'ConfigMap', 'onegate-config').data!.SHUTDOWN_GRACE_MS) / 1000;
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(grace + 5 + 5);
      expect(c.lifecycle.preStop).toBeDefined();
      expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      expect(find(overlays[env], 'PodDisruptionBudget', s.name).spec.selector).toEqual(d.spec.selector);
      expect(find(overlays[env], 'Service', s.name).spec.ports[0].port).toBe(8080);
    }
  });

  it.each(SERVICES)('$name autoscales in prod ($hpa.0–$hpa.1 pods at 70% CPU) and runs one replica in dev', (s) => {
    const hpa = find(overlays.prod, 'HorizontalPodAutoscaler', s.name);
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([...s.hpa]);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: s.name });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    // The HPA owns the replica count in prod: the Deployment does not fight it on every apply.
    expect(find(overlays.prod, 'Deployment', s.name).spec.replicas).toBeUndefined();
    expect(overlays.dev.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(find(overlays.dev, 'Deployment', s.name).spec.replicas).toBe(1);
  });
});

describe('Kafka', () => {
  it('runs one broker with replication 1 in dev and three with replication 3 in prod', () => {
    for (const [env, brokers, rf, isr] of [
      ['dev', 1, '1', '1'],
      ['prod', 3, '3', '2'],
    ] as const) {
      const kafka = find(overlays[env], 'StatefulSet', 'kafka');
      const config = find(overlays[env], 'ConfigMap', 'kafka-config').data!;
      expect(kafka.spec.replicas ?? 1).toBe(brokers);
      expect(config.TOPIC_REPLICATION_FACTOR).toBe(rf);
      expect(config.TOPIC_PARTITIONS).toBe('3');
      expect(config.KAFKA_MIN_INSYNC_REPLICAS).toBe(isr);
      expect(config.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(rf);
      // Every broker is a KRaft voter.
      expect(config.KAFKA_CONTROLLER_QUORUM_VOTERS!.split(',')).toHaveLength(brokers);
      expect(config.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    }
  });
});

describe('files copied into the kustomize base', () => {
  it('keeps k8s/base/kong/kong.yml and the collector config identical to the originals', () => {
    expect(readFileSync(repoPath('k8s', 'base', 'kong', 'kong.yml'), 'utf8')).toBe(readFileSync(repoPath('kong.yml'), 'utf8'));
    expect(readFileSync(repoPath('k8s', 'base', 'observability', 'otel-collector-config.yaml'), 'utf8')).toBe(
      readFileSync(repoPath('observability', 'otel-collector.yaml'), 'utf8'),
    );
  });

  it('ships Secret templates with placeholders only, valid against the schema', async () => {
    const dir = repoPath('k8s', 'base', 'secrets');
    for (const f of readdirSync(dir)) {
      expect(f).toMatch(/\.template\.yaml$/);
      for (const o of readYamlDocuments(`${dir}/${f}`)) {
        expect(o.kind).toBe('Secret');
        new (await modelFor(o))(o).validate();
        const values = Object.entries((o as unknown as { stringData: Record<string, string> }).stringData);
        for (const [k, v] of values) {
          // Either a <placeholder> or a URL/name whose password part is a <placeholder>.
          if (/PASSWORD|SECRET|KEY/.test(k)) expect(v, `${o.metadata.name}.${k}`).toMatch(/^<[^>]+>$/);
          else if (/URL/.test(k)) expect(v, `${o.metadata.name}.${k}`).toMatch(/<password>/);
        }
      }
    }
    expect(parse(readFileSync(repoPath('k8s', 'base', 'kustomization.yaml'), 'utf8')).resources.join()).not.toContain('secrets/');
  });
});
