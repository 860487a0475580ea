/** A Temporal client for the configured server. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export async function connectClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export const invoiceWorkflowId = (invoiceNumber: string) => `invoice-${invoiceNumber}`;
export const outreachWorkflowId = (customerId: string) => `outreach-${customerId}`;
