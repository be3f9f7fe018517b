/**
 * One error type with stable codes (DESIGN §6). The API maps `statusCode`; scripts match `code`,
 * so a code never changes meaning once shipped.
 */
export const ERROR_CODES = {
  FAULTLINE_CONFIG_INVALID: 500,
  FAULTLINE_VALIDATION: 400,
  FAULTLINE_BAD_CURSOR: 400,
  FAULTLINE_EMPTY_BODY: 400,
  FAULTLINE_UNAUTHORIZED: 401,
  FAULTLINE_FORBIDDEN: 403,
  FAULTLINE_NOT_FOUND: 404,
  FAULTLINE_UNKNOWN_SOURCE: 404,
  FAULTLINE_CONFLICT: 409,
  FAULTLINE_INVALID_TRANSITION: 409,
  FAULTLINE_LEASE_CONFLICT: 409,
  FAULTLINE_NO_CAPACITY: 409,
  FAULTLINE_PAYLOAD_TOO_LARGE: 413,
  FAULTLINE_UNSUPPORTED_MEDIA_TYPE: 415,
  FAULTLINE_RATE_LIMITED: 429,
  FAULTLINE_INTERNAL: 500,
  FAULTLINE_UNAVAILABLE: 503,
  FAULTLINE_STORE_FAILED: 503,
  FAULTLINE_BUS_FAILED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class FaultlineError extends Error {
  override readonly name = 'FaultlineError';
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = ERROR_CODES[code];
  }
}

export function isFaultlineError(value: unknown): value is FaultlineError {
  return value instanceof FaultlineError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
