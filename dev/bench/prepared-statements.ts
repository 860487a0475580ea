/**
 * `npx tsx dev/bench/prepared-statements.ts [--reads 3000]`: what one read by key costs when drizzle
 * builds its SQL each time (how every query runs today), against the same read as a named prepared
 * statement. Client CPU is this process's; server CPU is PostgreSQL's processes'. Both run in this
 * process, alternating twice, on a fresh database on TEST_DATABASE_URL's server. The read is the
 * outbox row by its key, one of the reads each delivery makes.
 *
 * Named statements are not used in the code: the embedded PGlite is one PostgreSQL session that
 * every process's connection shares, so the same statement name, prepared by two processes or
 * again after a reconnect, collides there.
 */
import { eq, sql } from 'drizzle-orm';
import { schema } from '../../db/client';
import { createTestDatabase } from '../harness/database';
import { cpuSecondsOfAll } from './proc-stats';

const i = process.argv.indexOf('--reads');
const READS = i < 0 ? 3000 : Number(process.argv[i + 1]);
if (!Number.isSafeInteger(READS) || READS < 1) throw new Error(`--reads needs a whole number above 0, got ${process.argv[i + 1]}`);

const database = await createTestDatabase();
if (database.kind !== 'postgres') throw new Error('this benchmark needs PostgreSQL (TEST_DATABASE_URL); it measures named statements');
const { db } = database;
const outbox = schema.emailOutbox;
const built = () => db.select().from(outbox).where(eq(outbox.idempotencyKey, 'bench-key'));
const prepared = db
  .select()
  .from(outbox)
  .where(eq(outbox.idempotencyKey, sql.placeholder('key')))
  .prepare('bench_outbox_by_key');

interface Cost {
  clientUs: number;
  serverUs: number;
}

async function measure(read: () => Promise<unknown>): Promise<Cost> {
  for (let n = 0; n < 200; n++) await read(); // warm-up: connections, JIT, the statement prepared
  const client = process.cpuUsage();
  const server = cpuSecondsOfAll('postgres');
  for (let n = 0; n < READS; n++) await read();
  const used = process.cpuUsage(client);
  return { clientUs: (used.user + used.system) / READS, serverUs: ((cpuSecondsOfAll('postgres') - server) * 1e6) / READS };
}

try {
  const runs: { built: Cost; prepared: Cost }[] = [];
  for (let round = 0; round < 2; round++)
    runs.push({ built: await measure(built), prepared: await measure(() => prepared.execute({ key: 'bench-key' })) });
  console.log(`one read by key, ${READS} reads a line, two rounds`);
  for (const [round, r] of runs.entries()) {
    const line = (name: string, c: Cost) =>
      `  round ${round + 1}  ${name.padEnd(28)} client ${c.clientUs.toFixed(0).padStart(4)} µs  PostgreSQL ${c.serverUs.toFixed(0).padStart(4)} µs`;
    console.log(line('built by drizzle each time', r.built));
    console.log(line('named prepared statement', r.prepared));
    console.log(
      `  round ${round + 1}  prepared / built: client ${(r.prepared.clientUs / r.built.clientUs).toFixed(2)}×, PostgreSQL ${(r.prepared.serverUs / r.built.serverUs).toFixed(2)}×`,
    );
  }
} finally {
  await database.close();
}
