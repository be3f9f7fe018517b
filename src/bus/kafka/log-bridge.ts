/** kafkajs's own log lines, sent to the service's pino logger. */
import { type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from '../../shared/logger.js';

export const KAFKA_LOG_LEVEL = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** kafkajs log lines go to pino, one level quieter than kafkajs thinks. */
export function pinoLogCreator(logger: Logger) {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry;
      const fields = { ...extra, namespace };
      // Expected with bounded retries, which we want so that a publish fails instead of hanging.
      if (message.startsWith('Limiting retries for the idempotent producer'))
        return log.debug(fields, message);
      // kafkajs reports every failed connection attempt as an error; the adapter logs what it cannot
      // recover from itself, so kafkajs's own lines sit one level lower.
      if (level === logLevel.ERROR) log.warn(fields, message);
      else if (level === logLevel.WARN) log.info(fields, message);
      else if (level === logLevel.INFO) log.debug(fields, message);
      else log.trace(fields, message);
    };
}
