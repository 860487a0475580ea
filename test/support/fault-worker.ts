/**
 * The `ar` worker as a process of its own for the fault test, so a SIGKILL is real: no clean-up,
 * no finally blocks, activities cut off mid-call. It delivers through the real Resend SDK to the
 * test's loopback Resend, and loads a prebuilt workflow bundle so a restart takes seconds.
 * It exits (non-zero) when the worker dies on its own, e.g. after Temporal was gone too long; the
 * test's supervisor starts a new one either way.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createResendSender } from '../../outreach/channels/email';
import { createDb } from '../../db/client';
import { createArWorker } from '../../apps/worker/create-worker';

const [address, taskQueue, databaseUrl, resendBaseUrl, bundlePath] = process.argv.slice(2) as [string, string, string, string, string];
Runtime.install({ logger: new DefaultLogger('ERROR') });

// Temporal may be down while this process starts (it is being restarted): keep trying.
async function connect(): Promise<NativeConnection> {
  for (;;) {
    try {
      return await NativeConnection.connect({ address });
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const connection = await connect();
const worker = await createArWorker({
  connection,
  taskQueue,
  db: createDb(databaseUrl, { max: 4 }),
  email: createResendSender('re_test_key', { baseUrl: resendBaseUrl }),
  workerOptions: { workflowBundle: { codePath: bundlePath }, shutdownGraceTime: '1 second' },
});
process.stdout.write('READY\n');
try {
  await worker.run();
  process.exit(0);
} catch (err) {
  process.stderr.write(`[fault-worker] the worker stopped: ${String(err).slice(0, 300)}\n`);
  process.exit(1);
}
