/**
 * Temporal test environments on the project's own binaries (the SDK's download cannot work offline).
 * Time-skipping for workflow tests; the dev server, with the custom search attributes, for integration tests.
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinary } from '../temporal-binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../temporal/search-attributes';
import { freePort } from './free-port';
import { START_DEADLINES_MS, startedWithin } from './started';

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  // The port is ours, so a time-out can say where nothing answered.
  const port = await freePort();
  const env = await startedWithin(
    `the Temporal time-skipping test server at 127.0.0.1:${port}`,
    START_DEADLINES_MS.temporal,
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalBinary('testServer') }, port },
    }),
    (late) => late.teardown(),
  );
  // The time-skipping server takes no --search-attribute flag, but implements AddSearchAttributes.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!])),
  });
  return env;
}

/** `metricsPort`: where the dev server serves its Prometheus metrics (a benchmark counts its requests there). */
export async function createDevServerEnv(opts: { metricsPort?: number } = {}): Promise<TestWorkflowEnvironment> {
  const port = await freePort();
  return startedWithin(
    `the Temporal dev server at 127.0.0.1:${port}`,
    START_DEADLINES_MS.temporal,
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalBinary('cli') },
        ip: '127.0.0.1',
        port,
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'error' },
        ...(opts.metricsPort ? { extraArgs: ['--metrics-port', String(opts.metricsPort)] } : {}),
      },
    }),
    (late) => late.teardown(),
  );
}
