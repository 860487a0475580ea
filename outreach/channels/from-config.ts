/** Chooses the email sender from configuration: Resend with a key, dev-mode logging without. */
import type { Config } from '../../config';
import { createDevLogSender, createResendSender, type EmailSender } from './email';

export function emailSenderFromConfig(config: Pick<Config, 'RESEND_API_KEY'>): EmailSender {
  return config.RESEND_API_KEY ? createResendSender(config.RESEND_API_KEY) : createDevLogSender();
}
