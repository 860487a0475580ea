/**
 * A loopback HTTP server speaking the slice of Resend's API the app uses (POST /emails), for
 * tests that exercise the real Resend SDK path: it records each request with its Idempotency-Key.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEmail {
  idempotencyKey: string | undefined;
  body: { from: string; to: string[]; subject: string; text: string };
  headers: IncomingHttpHeaders;
}

export async function startResendServer(): Promise<{ baseUrl: string; received: ReceivedEmail[]; close(): Promise<void> }> {
  const received: ReceivedEmail[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/emails') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ name: 'not_found', message: 'no route', statusCode: 404 }));
        return;
      }
      const key = req.headers['idempotency-key'] as string | undefined;
      received.push({ idempotencyKey: key, body: JSON.parse(raw), headers: req.headers });
      // As Resend within its 24-hour window: a repeated Idempotency-Key gets the first message's id, and no second email.
      const first = key === undefined ? -1 : received.findIndex((r) => r.idempotencyKey === key);
      const n = first >= 0 ? first + 1 : received.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `email_${n}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
