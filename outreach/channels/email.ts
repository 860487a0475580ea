/**
 * Email delivery. Resend when RESEND_API_KEY is set (its Idempotency-Key comes from the outbox
 * key, so a retried activity never sends twice); otherwise dev mode: the outbox row is the
 * record and a log line says nothing left the machine.
 */
import { Resend } from 'resend';

interface OutgoingEmail {
  idempotencyKey: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  readonly mode: 'resend' | 'dev-log';
  /**
   * How long the provider recognises an Idempotency-Key (a repeat inside it is not a second
   * email). Undefined: repeats are harmless at any time (nothing leaves the machine).
   */
  readonly idempotencyWindowMs?: number;
  send(email: OutgoingEmail): Promise<{ providerMessageId: string | null }>;
}

export class EmailProviderError extends Error {
  constructor(
    message: string,
    /** 4xx other than 429: retrying cannot help. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'EmailProviderError';
  }
}

export function createResendSender(apiKey: string, opts: { baseUrl?: string } = {}): EmailSender {
  const resend = new Resend(apiKey, opts.baseUrl ? { baseUrl: opts.baseUrl } : undefined);
  return {
    mode: 'resend',
    // Resend keeps an Idempotency-Key for 24 hours.
    idempotencyWindowMs: 24 * 60 * 60 * 1000,
    async send(email) {
      const { data, error } = await resend.emails.send(
        { from: email.from, to: [email.to], subject: email.subject, text: email.text },
        { idempotencyKey: email.idempotencyKey },
      );
      if (error) {
        const status = (error as { statusCode?: number }).statusCode ?? 0;
        throw new EmailProviderError(
          `Resend refused ${email.idempotencyKey}: ${error.name}: ${error.message}`,
          status >= 400 && status < 500 && status !== 429,
        );
      }
      return { providerMessageId: data?.id ?? null };
    },
  };
}

export function createDevLogSender(log: (line: string) => void = (l) => console.log(l)): EmailSender {
  return {
    mode: 'dev-log',
    async send(email) {
      log(
        `[email:dev] not sent (RESEND_API_KEY unset): to=${email.to} subject=${JSON.stringify(email.subject)} key=${email.idempotencyKey}`,
      );
      return { providerMessageId: null };
    },
  };
}
