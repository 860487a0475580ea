/**
 * A Temporal dev server on ports picked free, picked again when one was taken between the pick
 * and the bind (a benchmark of an hour should not die in its first second on that race).
 */
import { startTemporalDevServer, DevServerPortTaken, type DevServer } from '../stack/temporal-dev-server';
import { temporalBinary } from '../temporal-binaries';
import { freePort } from './free-port';

const ATTEMPTS = 5;

export async function startDevServerOnFreePorts(dataDir: string, pickPort: () => Promise<number> = freePort): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    const address = `127.0.0.1:${await pickPort()}`;
    try {
      return await startTemporalDevServer({
        binary: temporalBinary('cli'),
        dataDir,
        address,
        uiPort: await freePort(),
        namespace: 'default',
      });
    } catch (err) {
      if (!(err instanceof DevServerPortTaken) || attempt === ATTEMPTS) throw err;
    }
  }
}
