/**
 * The admin endpoint on its own (production): `npm run admin`.
 * Uses DATABASE_URL (or the running local stack's database) and TEMPORAL_ADDRESS.
 */
import { connectClient } from '../../temporal/client';
import { loadConfig } from '../../config';
import { openDatabase } from '../../db/open';
import { startAdminServer } from './server';

const config = loadConfig();
const database = await openDatabase(config);
const temporal = await connectClient(config);
const server = await startAdminServer({ db: database.db, temporal, config });
console.log(
  `[admin] listening on ${server.url} (database: ${database.source}, Temporal: ${config.TEMPORAL_ADDRESS}/${config.TEMPORAL_NAMESPACE})`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[admin] ${signal}: stopping`);
  await server.close();
  await temporal.connection.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
