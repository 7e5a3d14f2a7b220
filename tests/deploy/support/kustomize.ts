import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * A small kustomize renderer: exactly the features k8s/ uses (resources, configMapGenerator without
 * name hashes, labels, namespace, images, replicas, strategic-merge patches with optional target
 * and `$patch: delete`), so the tests render the overlays without kubectl. Anything else in a
 * kustomization is refused loudly rather than silently ignored. Platform engineers render with
 * `kubectl kustomize k8s/overlays/<env>`; docs/DEPLOYMENT.md says how the two were compared.
 */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  configMapGenerator?: { name: string; files?: string[]; literals?: string[] }[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'labels',
  'configMapGenerator',
  'generatorOptions',
  'images',
  'replicas',
  'patches',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'PriorityClass',
]);

export function readYamlDocuments(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function kustomize(dir: string): K8sObject[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${dir}/kustomization.yaml: "${key}" is not supported by the test renderer`);

  let objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    objects.push(...(statSync(path).isDirectory() ? kustomize(path) : readYamlDocuments(path)));
  }
  if (k.configMapGenerator?.length && !k.generatorOptions?.disableNameSuffixHash) throw new Error(`${dir}: the test renderer needs disableNameSuffixHash`);
  for (const g of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const f of g.files ?? []) {
      const [key, file] = f.includes('=') ? (f.split('=') as [string, string]) : [f.split('/').pop()!, f];
      data[key] = readFileSync(join(dir, file), 'utf8');
    }
    for (const l of g.literals ?? []) {
      const i = l.indexOf('=');
      data[l.slice(0, i)] = l.slice(i + 1);
    }
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
  }

  for (const p of k.patches ?? []) {
    const docs = p.path ? readYamlDocuments(join(dir, p.path)) : parseAllDocuments(p.patch!).map((d) => d.toJS() as K8sObject);
    for (const patch of docs) {
      const matches = (o: K8sObject) =>
        p.target
          ? (!p.target.kind || o.kind === p.target.kind) && (!p.target.name || o.metadata.name === p.target.name)
          : o.kind === patch.kind && o.metadata.name === patch.metadata.name;
      const hits = objects.filter(matches);
      if (!hits.length) throw new Error(`${dir}: patch for ${patch.kind}/${patch.metadata?.name} matches nothing`);
      if ((patch as Record<string, unknown>).$patch === 'delete') {
        objects = objects.filter((o) => !matches(o));
        continue;
      }
      objects = objects.map((o) => {
        if (!matches(o)) return o;
        const merged = strategicMerge(o, { ...patch, metadata: { ...patch.metadata, name: o.metadata.name } }) as K8sObject;
        return merged;
      });
    }
  }

  if (k.namespace) for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  for (const l of k.labels ?? []) {
    if (l.includeSelectors || l.includeTemplates) throw new Error(`${dir}: label selectors/templates are not supported by the test renderer`);
    for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
  }
  for (const img of k.images ?? []) {
    for (const c of containersOf(objects)) {
      const [name, tag] = splitImage(c.image);
      if (name === img.name) c.image = `${img.newName ?? name}:${img.newTag ?? tag}`;
    }
  }
  for (const r of k.replicas ?? []) {
    const hits = objects.filter((o) => ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind) && o.metadata.name === r.name);
    if (!hits.length) throw new Error(`${dir}: replicas for ${r.name} matches nothing`);
    for (const o of hits) (o.spec as Record<string, unknown>).replicas = r.count;
  }
  return objects;
}

function splitImage(image: string): [string, string] {
  const i = image.lastIndexOf(':');
  return i > image.lastIndexOf('/') ? [image.slice(0, i), image.slice(i + 1)] : [image, 'latest'];
}

export interface Container {
  name: string;
  image: string;
  [key: string]: unknown;
}

/** Every container (and init container) of every workload, as live references. */
export function containersOf(objects: K8sObject[]): Container[] {
  return objects.flatMap((o) => {
    const spec = podSpecOf(o);
    return spec ? [...((spec.containers as Container[]) ?? []), ...((spec.initContainers as Container[]) ?? [])] : [];
  });
}

export function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'Pod') return spec;
  const template = spec?.template as { spec?: Record<string, unknown> } | undefined;
  return template?.spec;
}

/** Strategic merge as kustomize does it for the fields used here: maps merge, named lists merge by name, other lists are replaced. */
function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (xs: unknown[]) => xs.every((x) => x !== null && typeof x === 'object' && 'name' in (x as object));
    if (!named(base) || !named(patch)) return patch;
    const out = base.map((b) => {
      const p = patch.find((x) => (x as { name: string }).name === (b as { name: string }).name);
      return p ? strategicMerge(b, p) : b;
    });
    for (const p of patch) if (!base.some((b) => (b as { name: string }).name === (p as { name: string }).name)) out.push(p);
    return out;
  }
  if (base && patch && typeof base === 'object' && typeof patch === 'object' && !Array.isArray(base) && !Array.isArray(patch)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
      if (v === null) delete out[k];
      else out[k] = k in out ? strategicMerge(out[k], v) : v;
    }
    return out;
  }
  return patch;
}

export const repoPath = (...parts: string[]): string => join(dirname(new URL(import.meta.url).pathname), '..', '..', '..', ...parts);
