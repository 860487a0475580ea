/**
 * A worker process for the crash test: it delivers email through the real Resend SDK, prints
 * "SENT <key>" once the provider has accepted a message, and then hangs until it is killed, as a
 * process that dies between the provider call and reporting the activity's result.
 */
import { NativeConnection } from '@temporalio/worker';
import { createResendSender, type EmailSender } from '../../outreach/channels/email';
import { createDb } from '../../db/client';
import { createArWorker } from '../../apps/worker/create-worker';

const [address, taskQueue, databaseUrl, resendBaseUrl] = process.argv.slice(2) as [string, string, string, string];
const real = createResendSender('re_test_key', { baseUrl: resendBaseUrl });
const dying: EmailSender = {
  mode: 'resend',
  async send(email) {
    await real.send(email);
    process.stdout.write(`SENT ${email.idempotencyKey}\n`);
    return new Promise(() => undefined);
  },
};
const connection = await NativeConnection.connect({ address });
const worker = await createArWorker({ connection, taskQueue, db: createDb(databaseUrl, { max: 2 }), email: dying });
process.stdout.write('READY\n');
await worker.run();
