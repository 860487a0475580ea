/**
 * A worker process for the cash crash test: the real worker over the built-in ledger, except that
 * after its third ledger posting it prints "POSTED 3" and hangs until it is killed, as a process
 * that dies in the middle of a statement, between posting to the ledger and reporting back.
 */
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import type { LedgerPort } from '../../ledger/port';
import { createArWorker } from '../../apps/worker/create-worker';

const [address, taskQueue, databaseUrl] = process.argv.slice(2) as [string, string, string];
const db = createDb(databaseUrl, { max: 2 });
const real = createBuiltinLedger(db);
let posted = 0;
const dying: LedgerPort = {
  ...real,
  async receivePayment(input) {
    const r = await real.receivePayment(input);
    if (++posted === 3) {
      process.stdout.write('POSTED 3\n');
      return new Promise(() => undefined);
    }
    return r;
  },
};
const connection = await NativeConnection.connect({ address });
const worker = await createArWorker({ connection, taskQueue, db, ledger: dying });
process.stdout.write('READY\n');
await worker.run();
