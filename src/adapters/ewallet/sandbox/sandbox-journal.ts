import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopUpStatus } from '../../../domain/ewallet/ewallet-provider.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { SandboxTopUp, SandboxWallet } from './sandbox-wallets.ts';

/**
 * A sandbox's state on disk, so that its wallets and top-ups outlive its process (a real provider
 * does not forget a top-up because we restarted, nor because it did): an append-only JSON-lines
 * file, one line per change holding every entity the change touched (a credited top-up writes the
 * wallet and the top-up in ONE line, so a crash can never keep the credit and lose the SUCCESS, which
 * would credit twice on a later settle). Written synchronously before the sandbox answers. On load
 * the last version of each wallet and top-up wins, a torn last line is ignored, and the file is
 * compacted (written anew, then renamed over the old one).
 */
interface WalletLine {
  phone: string;
  name: string;
  accountNumber: string;
  balance: string;
  lastUpdated: string;
}
interface TopUpLine {
  reference: string;
  phone: string;
  amount: string;
  status: TopUpStatus;
  providerReference: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}
interface Line {
  w?: WalletLine[];
  t?: TopUpLine[];
  /** A top-up deleted at the provider (the control API's "missing at the provider" fault). */
  forget?: string[];
}

export interface JournalState {
  wallets: SandboxWallet[];
  topUps: SandboxTopUp[];
}

export class SandboxJournal {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The state the file holds (empty when there is no file yet), after which the file is compacted. */
  load(): JournalState {
    const wallets = new Map<string, SandboxWallet>();
    const topUps = new Map<string, SandboxTopUp>();
    if (existsSync(this.file)) {
      for (const text of readFileSync(this.file, 'utf8').split('\n')) {
        if (!text.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          continue; // a line torn by a crash mid-write: the change it described never answered
        }
        for (const w of line.w ?? []) wallets.set(w.phone, { ...w, balance: Money.parse(w.balance), lastUpdated: new Date(w.lastUpdated) });
        for (const t of line.t ?? [])
          topUps.set(t.reference, { ...t, amount: Money.parse(t.amount), createdAt: new Date(t.createdAt), updatedAt: new Date(t.updatedAt) });
        for (const ref of line.forget ?? []) topUps.delete(ref);
      }
    }
    const state = { wallets: [...wallets.values()], topUps: [...topUps.values()] };
    this.compact(state);
    return state;
  }

  record(change: { wallets?: SandboxWallet[]; topUps?: SandboxTopUp[]; forget?: string[] }): void {
    const line: Line = {};
    if (change.wallets?.length) line.w = change.wallets.map(walletLine);
    if (change.topUps?.length) line.t = change.topUps.map(topUpLine);
    if (change.forget?.length) line.forget = change.forget;
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  private compact(state: JournalState): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const lines = [...state.wallets.map((w) => JSON.stringify({ w: [walletLine(w)] })), ...state.topUps.map((t) => JSON.stringify({ t: [topUpLine(t)] }))];
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.length ? `${lines.join('\n')}\n` : '');
    renameSync(tmp, this.file);
  }
}

function walletLine(w: SandboxWallet): WalletLine {
  return { phone: w.phone, name: w.name, accountNumber: w.accountNumber, balance: w.balance.toString(), lastUpdated: w.lastUpdated.toISOString() };
}

function topUpLine(t: SandboxTopUp): TopUpLine {
  const line: TopUpLine = {
    reference: t.reference,
    phone: t.phone,
    amount: t.amount.toString(),
    status: t.status,
    providerReference: t.providerReference,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
  if (t.reason !== undefined) line.reason = t.reason;
  return line;
}
