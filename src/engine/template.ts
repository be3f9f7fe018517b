import type { FaultEvent } from '../model/event.js';
import { readField } from './rules/fields.js';

const PLACEHOLDER = /\{\{\s*(\$?[A-Za-z0-9_@.]+)\s*\}\}/g;

/**
 * Expands `{{field}}` from the event and `{{$name}}` from `vars`. A missing value renders as `?`
 * (visible, never an exception): annotations are for people, and a half-filled one still helps.
 */
export function renderTemplate(
  text: string,
  event: FaultEvent | undefined,
  vars: Readonly<Record<string, string | number>>,
): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    if (name.startsWith('$')) {
      const v = vars[name.slice(1)];
      return v === undefined ? '?' : String(v);
    }
    const v = event === undefined ? undefined : readField(event as unknown as Record<string, unknown>, name);
    if (v === undefined || v === null) return '?';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}
