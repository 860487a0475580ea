/** What `ar replay` and `ar explain` share: a quiet replay runtime and "no such workflow" as a user error. */
import type { Config } from '../../config';

/** The replay worker logs through the SDK's runtime: at LOG_LEVEL (warn by default), not its INFO bundling chatter. */
export async function installReplayLogger(config: Config): Promise<void> {
  const { DefaultLogger, Runtime } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as 'WARN') });
}

/** True (and exit code 1, a one-line message) when `err` says the workflow does not exist; any other error is the caller's. */
export async function reportedNoSuchWorkflow(err: unknown, config: Config): Promise<boolean> {
  const { NoSuchWorkflowError } = await import('../../temporal/replay');
  if (!(err instanceof NoSuchWorkflowError)) return false;
  console.error(`ar: ${err.message} (namespace ${config.TEMPORAL_NAMESPACE} at ${config.TEMPORAL_ADDRESS})`);
  process.exitCode = 1;
  return true;
}
