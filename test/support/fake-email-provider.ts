/**
 * An email provider at the channel boundary (outreach/channels/email.ts's EmailSender), as Resend
 * behaves: a repeated Idempotency-Key inside 24 hours gets the first message's id and no second
 * email; after that the key is forgotten and a repeat is a new email. Its clock is the test's.
 */
import type { EmailSender } from '../../outreach/channels/email';

const WINDOW_MS = 24 * 60 * 60 * 1000;

export interface FakeEmailProvider extends EmailSender {
  /** Emails that reached the customer (repeats inside the window are not here). */
  delivered: { key: string; id: string; to: string }[];
  calls: number;
  /** Moves the provider's clock on (its key window). */
  advance(ms: number): void;
  /** The next call is accepted and then never answers: a worker killed after the provider accepted. */
  hangAfterAccepting(): void;
}

export function fakeEmailProvider(): FakeEmailProvider {
  let now = 0;
  let hang = false;
  const seen = new Map<string, { id: string; at: number }>();
  const provider: FakeEmailProvider = {
    mode: 'resend',
    idempotencyWindowMs: WINDOW_MS,
    delivered: [],
    calls: 0,
    advance: (ms) => void (now += ms),
    hangAfterAccepting: () => void (hang = true),
    async send(email) {
      provider.calls++;
      const earlier = seen.get(email.idempotencyKey);
      let id: string;
      if (earlier && now - earlier.at < WINDOW_MS) id = earlier.id;
      else {
        id = `msg_${provider.delivered.length + 1}`;
        seen.set(email.idempotencyKey, { id, at: now });
        provider.delivered.push({ key: email.idempotencyKey, id, to: email.to });
      }
      if (hang) {
        hang = false;
        return new Promise(() => undefined);
      }
      return { providerMessageId: id };
    },
  };
  return provider;
}
