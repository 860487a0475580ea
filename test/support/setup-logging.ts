/**
 * Workers in tests log at WARN (TEST_LOG_LEVEL to change it): a worker's INFO lines (state changes,
 * "no Nexus services") for every test would bury the failures in CI output.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const level = (process.env.TEST_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
Runtime.install({ logger: new DefaultLogger(level) });
