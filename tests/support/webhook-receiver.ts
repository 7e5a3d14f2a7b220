import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EWalletMethod, EWalletNotification, EWalletWebhookVerifier } from '../../src/domain/ewallet/ewallet-provider.ts';

/**
 * A stand-in for our webhook endpoints in provider tests: POST /gopay and /shopeepay are checked
 * with the real verifiers; verified notifications and rejections are recorded.
 */
export interface WebhookReceiver {
  baseUrl: string;
  received: Array<EWalletNotification & { method: EWalletMethod }>;
  rejected: Array<{ path: string; code: string }>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(verifiers: Partial<Record<'gopay' | 'shopeepay', EWalletWebhookVerifier>>): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const rejected: WebhookReceiver['rejected'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\//, '') as 'gopay' | 'shopeepay';
      const verifier = verifiers[path];
      if (!verifier) {
        res.writeHead(404).end();
        return;
      }
      try {
        received.push({ ...verifier.verify(Buffer.concat(chunks), req.headers), method: verifier.method });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        rejected.push({ path, code: (err as { code?: string }).code ?? 'UNKNOWN' });
        res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    rejected,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
