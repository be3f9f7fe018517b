import { FaultlineError } from '../shared/errors.js';

/** Opaque pagination cursors: base64url JSON of the sort values of the last row of a page. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values)) return values;
  } catch {
    // fall through to the coded error below
  }
  throw new FaultlineError('FAULTLINE_BAD_CURSOR', 'cursor is not one this server issued');
}
