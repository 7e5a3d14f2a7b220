import type { IncomingMessage } from 'node:http';
import { Money } from '../../../domain/shared/money.ts';
import { SandboxTransfers, type SandboxTransfer } from './sandbox-transfers.ts';
import { header, parseJson, serve, type Answer } from '../../ewallet/sandbox/sandbox-http.ts';
import { SNAP_TRANSFER_PATHS, SNAP_TRANSFER_STATUS_CODE, verifyTransferRequest } from '../snap-transfer-protocol.ts';
import { DisbursementErrors } from '../../../domain/disbursement/disbursement.errors.ts';

/** The sandbox's own credentials (loopback only, no real money): the adapter is configured with them. */
export const DISBURSEMENT_SANDBOX_CREDENTIALS = { partnerId: 'onegate-sandbox', clientSecret: 'disbursement-sandbox-secret' } as const;

export interface DisbursementSandbox {
  url: string;
  /** The book of transfers and the behaviour switches (pass one to an in-memory fake to share it). */
  control: SandboxTransfers;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A bank-transfer provider on a real socket: verifies every signature, keeps the transfers it
 * accepted (idempotent on partnerReferenceNo), and can be told to be slow, fail, time out (do the
 * work, never answer), answer 5xx, or leave a transfer pending until `settle`. Its book of transfers
 * (sandbox-transfers.ts) is the in-memory fake's too.
 */
export async function startDisbursementSandbox(opts: { host?: string; control?: SandboxTransfers } = {}): Promise<DisbursementSandbox> {
  const book = opts.control ?? new SandboxTransfers();
  const json = (t: SandboxTransfer, serviceCode: string) => ({
    responseCode: `200${serviceCode}00`,
    responseMessage: 'Successful',
    referenceNo: t.providerReference,
    partnerReferenceNo: t.reference,
    amount: { value: t.amount.toString(), currency: 'IDR' },
    latestTransactionStatus: SNAP_TRANSFER_STATUS_CODE[t.status],
    transactionStatusDesc: t.reason ?? t.status,
  });

  const handler = async (req: IncomingMessage, path: string, raw: Buffer): Promise<Answer | 'hang'> => {
    if (req.method !== 'POST' || (path !== SNAP_TRANSFER_PATHS.transfer && path !== SNAP_TRANSFER_PATHS.status))
      return { status: 404, body: { responseCode: '4040000', responseMessage: 'Not Found' } };
    const headers = Object.fromEntries(['x-timestamp', 'x-signature', 'x-partner-id', 'x-external-id'].map((h) => [h, header(req, h)]));
    try {
      verifyTransferRequest(headers, DISBURSEMENT_SANDBOX_CREDENTIALS.clientSecret, DISBURSEMENT_SANDBOX_CREDENTIALS.partnerId, path, raw);
    } catch (err) {
      return { status: 401, body: { responseCode: '4010000', responseMessage: (err as Error).message } };
    }
    const op = path === SNAP_TRANSFER_PATHS.transfer ? 'transfer' : 'status';
    const b = book.take(op);
    if (b?.kind === 'slow') await sleep(b.delayMs);
    if (b?.kind === 'error') return { status: 500, body: { responseCode: '5000001', responseMessage: 'Internal Server Error' } };
    const body = parseJson(raw);
    let answer: Answer;
    if (op === 'transfer') {
      const reference = String(body.partnerReferenceNo ?? '');
      const amount = body.amount as { value?: unknown; currency?: unknown } | undefined;
      if (!reference || amount?.currency !== 'IDR' || typeof body.beneficiaryAccountNo !== 'string') throw DisbursementErrors.invalidField();
      let t: SandboxTransfer;
      try {
        t = book.applyTransfer({ reference, amount: Money.parse(String(amount.value)), accountNumber: body.beneficiaryAccountNo }, b);
      } catch (err) {
        if ((err as { code?: string }).code !== 'INCONSISTENT_REQUEST') throw err;
        return { status: 409, body: { responseCode: '4091800', responseMessage: 'Conflict: partnerReferenceNo used with another amount' } };
      }
      answer = { status: 200, body: json(t, '18') };
    } else {
      const t = book.find(String(body.originalPartnerReferenceNo ?? ''));
      answer = t ? { status: 200, body: json(t, '36') } : { status: 404, body: { responseCode: '4043601', responseMessage: 'Transaction Not Found' } };
    }
    return b?.kind === 'timeout' ? 'hang' : answer;
  };
  const server = await serve(handler, opts.host ?? '127.0.0.1', 0);
  return { url: server.url, control: book, stop: () => server.close() };
}
