import { ecsFormat } from '@elastic/ecs-pino-format';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear: keys and credentials never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'http.request.headers.authorization',
  'http.request.headers["x-api-key"]',
  'apiKey',
  'key',
  'password',
  'secret',
  'token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.token',
];

export function loggerOptions(level: string, serviceName = 'faultline'): LoggerOptions {
  return {
    level,
    ...ecsFormat({ convertReqRes: true, apmIntegration: false, serviceName }),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return destination === undefined ? pino(loggerOptions(level)) : pino(loggerOptions(level), destination);
}
