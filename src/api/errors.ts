import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isFaultlineError } from '../shared/errors.js';

const STATUS_CODE: Record<number, ErrorCode> = {
  400: 'FAULTLINE_VALIDATION',
  401: 'FAULTLINE_UNAUTHORIZED',
  403: 'FAULTLINE_FORBIDDEN',
  404: 'FAULTLINE_NOT_FOUND',
  409: 'FAULTLINE_CONFLICT',
  413: 'FAULTLINE_PAYLOAD_TOO_LARGE',
  415: 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE',
  429: 'FAULTLINE_RATE_LIMITED',
  503: 'FAULTLINE_UNAVAILABLE',
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one JSON error shape of the API: `{ statusCode, code, error, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  details?: unknown;
}

export function errorBody(
  statusCode: number,
  code: ErrorCode,
  message: string,
  details?: unknown,
): ErrorBody {
  const body: ErrorBody = { statusCode, code, error: REASON[statusCode] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return body;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isFaultlineError(error)) {
      if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
      return reply
        .code(error.statusCode)
        .send(errorBody(error.statusCode, error.code, error.message, error.details));
    }
    if (error.validation !== undefined) {
      return reply.code(400).send(
        errorBody(
          400,
          'FAULTLINE_VALIDATION',
          error.message,
          error.validation.map((v) => ({ path: v.instancePath || v.params, message: v.message })),
        ),
      );
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = STATUS_CODE[status] ?? 'FAULTLINE_VALIDATION';
      return reply.code(status).send(errorBody(status, code, error.message));
    }
    // 5xx details stay in the log: they can carry hostnames, SQL or stack traces.
    request.log.error({ err: error }, 'request failed');
    const code = STATUS_CODE[status] ?? 'FAULTLINE_INTERNAL';
    return reply
      .code(status)
      .send(errorBody(status, code, status === 503 ? 'service unavailable' : 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody(404, 'FAULTLINE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
