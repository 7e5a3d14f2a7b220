/**
 * The fraud detection system's rules (FDS; SNAP — Bank Indonesia's national open API standard —
 * and PBI 23/6/2021 on payment service providers ask issuers to screen transactions for fraud).
 * Pure functions over the figures the ledger read under the payer's row lock: no I/O here.
 *
 * Four rules, each with its own thresholds, enabled flag and outcome (REVIEW or BLOCK), stored in
 * the `risk_rules` table and changed by operators with `risk rules set` (no code change, no
 * restart: every evaluation reads them):
 * - VELOCITY: the payer's outgoing movements in the last `windowSeconds`, this one included,
 *   more than `maxCount` of them or more than `maxAmount` in total;
 * - NEW_COUNTERPARTY: a transfer or payment of at least `minAmount` to an account or merchant the
 *   payer never paid successfully before;
 * - MULE_INBOUND: a transfer that makes the recipient's distinct senders in the last
 *   `windowSeconds` more than `maxDistinctSenders` (money collected from many people: a mule);
 * - EWALLET_OTHER_PHONE: a top-up of at least `minAmount` to an e-wallet that is not on the
 *   account holder's own phone.
 */
export type RiskOutcome = 'ALLOW' | 'REVIEW' | 'BLOCK';
export type RiskRuleCode = 'VELOCITY' | 'NEW_COUNTERPARTY' | 'MULE_INBOUND' | 'EWALLET_OTHER_PHONE';
export const RISK_RULE_CODES: readonly RiskRuleCode[] = ['VELOCITY', 'NEW_COUNTERPARTY', 'MULE_INBOUND', 'EWALLET_OTHER_PHONE'];
export type MovementKind = 'TRANSFER' | 'PAYMENT' | 'TOPUP';

/** Thresholds; amounts in minor units. Each rule reads only its own. */
export interface RiskParams {
  windowSeconds?: number;
  maxCount?: number;
  maxAmount?: bigint;
  minAmount?: bigint;
  maxDistinctSenders?: number;
}

export interface RiskRule {
  code: RiskRuleCode;
  enabled: boolean;
  outcome: 'REVIEW' | 'BLOCK';
  params: RiskParams;
}

/** The parameters each rule needs (what `risk rules set` accepts and the table holds). */
export const RULE_PARAMS: Record<RiskRuleCode, readonly (keyof RiskParams)[]> = {
  VELOCITY: ['windowSeconds', 'maxCount', 'maxAmount'],
  NEW_COUNTERPARTY: ['minAmount'],
  MULE_INBOUND: ['windowSeconds', 'maxDistinctSenders'],
  EWALLET_OTHER_PHONE: ['minAmount'],
};

/** The movement being screened. */
export interface RiskSubject {
  kind: MovementKind;
  payerAccountId: string;
  /** Minor units, > 0. */
  amount: bigint;
  /** The recipient's account (a customer or a merchant); null for a top-up. */
  counterpartyAccountId: string | null;
  /** A top-up: whether the e-wallet is on the holder's own phone. */
  ownPhone?: boolean;
}

/** What the adapter counted, under the payer's row lock, for the enabled rules (absent when not asked). */
export interface RiskFigures {
  /** The payer's outgoing movements in the velocity window, this one excluded. */
  outgoingCount?: number;
  outgoingAmount?: bigint;
  /** Whether the payer paid this counterparty successfully before. */
  knownCounterparty?: boolean;
  /** Distinct senders into the counterparty in the mule window, and whether this payer is one of them. */
  distinctSenders?: number;
  payerAmongSenders?: boolean;
}

/** What the adapter must count for these rules and this subject. */
export interface FigureRequest {
  velocityWindowSeconds?: number;
  counterparty?: boolean;
  muleWindowSeconds?: number;
}

export interface RuleHit {
  rule: RiskRuleCode;
  outcome: 'REVIEW' | 'BLOCK';
  /** The figures and thresholds that made the rule fire (ids and numbers only: no personal data). */
  figures: Record<string, string | number | boolean>;
}

export interface RiskDecision {
  outcome: RiskOutcome;
  hits: RuleHit[];
}

const text = (v: bigint) => v.toString();

/** Which figures the enabled rules need for this subject (the adapter reads nothing else). */
export function figuresNeeded(rules: readonly RiskRule[], s: RiskSubject): FigureRequest {
  const on = (c: RiskRuleCode) => rules.find((r) => r.code === c && r.enabled && applies(r.code, s));
  const v = on('VELOCITY');
  const m = on('MULE_INBOUND');
  return {
    ...(v ? { velocityWindowSeconds: v.params.windowSeconds ?? 3600 } : {}),
    ...(on('NEW_COUNTERPARTY') ? { counterparty: true } : {}),
    ...(m ? { muleWindowSeconds: m.params.windowSeconds ?? 3600 } : {}),
  };
}

function applies(code: RiskRuleCode, s: RiskSubject): boolean {
  switch (code) {
    case 'VELOCITY':
      return true;
    case 'NEW_COUNTERPARTY':
      return s.kind !== 'TOPUP' && s.counterpartyAccountId !== null;
    case 'MULE_INBOUND':
      return s.kind === 'TRANSFER' && s.counterpartyAccountId !== null;
    case 'EWALLET_OTHER_PHONE':
      return s.kind === 'TOPUP';
  }
}

/** One rule on its own: the hit, or null. Figures the adapter did not read count as nothing seen. */
export function evaluateRule(rule: RiskRule, s: RiskSubject, f: RiskFigures): RuleHit | null {
  if (!rule.enabled || !applies(rule.code, s)) return null;
  const p = rule.params;
  const hit = (figures: RuleHit['figures']): RuleHit => ({ rule: rule.code, outcome: rule.outcome, figures });
  switch (rule.code) {
    case 'VELOCITY': {
      const count = (f.outgoingCount ?? 0) + 1;
      const amount = (f.outgoingAmount ?? 0n) + s.amount;
      const overCount = p.maxCount !== undefined && count > p.maxCount;
      const overAmount = p.maxAmount !== undefined && amount > p.maxAmount;
      if (!overCount && !overAmount) return null;
      return hit({
        window_seconds: p.windowSeconds ?? 3600,
        count,
        max_count: p.maxCount ?? -1,
        amount_minor: text(amount),
        max_amount_minor: text(p.maxAmount ?? -1n),
      });
    }
    case 'NEW_COUNTERPARTY':
      if (f.knownCounterparty !== false || p.minAmount === undefined || s.amount < p.minAmount) return null;
      return hit({ counterparty_account_id: s.counterpartyAccountId!, amount_minor: text(s.amount), min_amount_minor: text(p.minAmount) });
    case 'MULE_INBOUND': {
      if (p.maxDistinctSenders === undefined) return null;
      const senders = (f.distinctSenders ?? 0) + (f.payerAmongSenders ? 0 : 1);
      if (senders <= p.maxDistinctSenders) return null;
      return hit({
        recipient_account_id: s.counterpartyAccountId!,
        window_seconds: p.windowSeconds ?? 3600,
        distinct_senders: senders,
        max_distinct_senders: p.maxDistinctSenders,
      });
    }
    case 'EWALLET_OTHER_PHONE':
      if (s.ownPhone !== false || p.minAmount === undefined || s.amount < p.minAmount) return null;
      return hit({ own_phone: false, amount_minor: text(s.amount), min_amount_minor: text(p.minAmount) });
  }
}

const SEVERITY: Record<RiskOutcome, number> = { ALLOW: 0, REVIEW: 1, BLOCK: 2 };

/** Every rule over the subject: the most severe outcome wins, and every rule that fired is kept. */
export function evaluate(rules: readonly RiskRule[], s: RiskSubject, f: RiskFigures): RiskDecision {
  const hits = rules.map((r) => evaluateRule(r, s, f)).filter((h): h is RuleHit => h !== null);
  const outcome = hits.reduce<RiskOutcome>((o, h) => (SEVERITY[h.outcome] > SEVERITY[o] ? h.outcome : o), 'ALLOW');
  return { outcome, hits };
}

/**
 * A top-up cannot be held yet (the provider call would have to wait for an operator, and the
 * reconciler would meanwhile ask the provider about a top-up it never got): a REVIEW on a top-up
 * is refused as a BLOCK — the stricter outcome, never the laxer.
 */
export function effectiveOutcome(kind: MovementKind, outcome: RiskOutcome): RiskOutcome {
  return kind === 'TOPUP' && outcome === 'REVIEW' ? 'BLOCK' : outcome;
}

/** What an operator may change on a rule (`risk rules set`): amounts in minor units, counts and seconds as integers. */
export interface RuleChange {
  enabled?: boolean;
  outcome?: string;
  params?: Partial<Record<keyof RiskParams, bigint | number>>;
}

/** The rule after a change, or an error naming what is wrong (a parameter the rule has not, a non-positive threshold). */
export function changeRule(rule: RiskRule, change: RuleChange): RiskRule | { error: string } {
  if (change.outcome !== undefined && change.outcome !== 'REVIEW' && change.outcome !== 'BLOCK') return { error: 'the outcome is REVIEW or BLOCK' };
  const params: Record<string, bigint | number> = { ...rule.params } as Record<string, bigint | number>;
  for (const [k, v] of Object.entries(change.params ?? {})) {
    if (v === undefined) continue;
    if (!RULE_PARAMS[rule.code].includes(k as keyof RiskParams)) return { error: `${rule.code} has no ${k}; it takes ${RULE_PARAMS[rule.code].join(', ')}` };
    if (typeof v === 'number' ? !Number.isSafeInteger(v) || v < 1 : v < 1n) return { error: `${k} must be a positive whole number` };
    params[k] = v;
  }
  return {
    code: rule.code,
    enabled: change.enabled ?? rule.enabled,
    outcome: (change.outcome as RiskRule['outcome'] | undefined) ?? rule.outcome,
    params: params as RiskParams,
  };
}
