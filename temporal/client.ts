/** A Temporal client for the configured server. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export async function connectClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: 5_000 });
  } catch (err) {
    // The SDK says only "Failed to connect before the deadline": say where, and what usually fixes it.
    throw new Error(
      `cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(err as Error).message}): is the stack running (npm start), or is TEMPORAL_ADDRESS set to your server?`,
      { cause: err },
    );
  }
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export { invoiceWorkflowId, outreachWorkflowId } from './workflow-ids';
