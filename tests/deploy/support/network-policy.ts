import type { K8sObject } from './kustomize.ts';

/**
 * Evaluates NetworkPolicies the way the API defines them, for the subset the manifests use
 * (podSelector, namespaceSelector, ipBlock, ports): a connection happens when the source's egress
 * and the destination's ingress both allow it. A pod selected by no policy of a direction is open
 * in that direction; once selected, only what some rule allows passes.
 */
export interface Endpoint {
  /** A pod: its labels and namespace (namespaceLabels for namespaceSelector; kubernetes.io/metadata.name is implied). */
  labels?: Record<string, string>;
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  /** An address outside the cluster. */
  ip?: string;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number; protocol?: string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}

export function selects(sel: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values!.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && e.values!.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const scale = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / scale) === Math.floor(ipToInt(base) / scale);
}

function peerMatches(peer: Peer, other: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) return !!other.ip && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip!, c));
  if (other.ip) return false; // pod and namespace selectors only match pods
  const nsLabels = { 'kubernetes.io/metadata.name': other.namespace ?? '', ...other.namespaceLabels };
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels) : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels ?? {}) : true;
  return nsOk && podOk;
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Endpoint, port: number, ns: string): boolean {
  const portOk = !rule.ports?.length || rule.ports.some((p) => p.port === undefined || p.port === port);
  const peerOk = !peers?.length || peers.some((p) => peerMatches(p, other, ns));
  return portOk && peerOk;
}

function directionAllows(policies: K8sObject[], self: Endpoint, other: Endpoint, port: number, dir: 'Ingress' | 'Egress'): boolean {
  if (self.ip) return true; // outside the cluster: not governed by these policies
  const applying = policies.filter((p) => {
    const spec = p.spec as PolicySpec;
    const types = spec.policyTypes ?? (dir === 'Ingress' ? ['Ingress'] : spec.egress ? ['Egress'] : []);
    return p.metadata.namespace === self.namespace && types.includes(dir) && selects(spec.podSelector, self.labels ?? {});
  });
  if (!applying.length) return true;
  return applying.some((p) => {
    const spec = p.spec as PolicySpec;
    const rules = (dir === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((r) => ruleAllows(r, dir === 'Ingress' ? r.from : r.to, other, port, p.metadata.namespace!));
  });
}

export function connectionAllowed(policies: K8sObject[], from: Endpoint, to: Endpoint, port: number): boolean {
  return directionAllows(policies, from, to, port, 'Egress') && directionAllows(policies, to, from, port, 'Ingress');
}
