import { FAULT_CLASSES, type FaultClass, HW_TYPES, type HwType } from '../../../model/event.js';
import { REGISTRY_ROWS } from './registry-table.js';

/** A message registry entry, ready to decode a `MessageId`. */
export interface RegistryMessage {
  /** `Prefix.MessageKey`, version-free: events name any 1.x version of a registry. */
  readonly id: string;
  readonly severity: string;
  readonly args: number;
  readonly template: string;
  readonly hwType: HwType;
  readonly faultClass: FaultClass;
  /** How the part is named from the arguments (`CPU%1_DIMM_%2%3`), empty when it is not. */
  readonly idTemplate: string;
}

const HW_SET: ReadonlySet<string> = new Set(HW_TYPES);
const FAULT_SET: ReadonlySet<string> = new Set(FAULT_CLASSES);

const BY_ID = new Map<string, RegistryMessage>();
/** Same message key in another registry, for vendors that re-publish DMTF messages under their prefix. */
const BY_KEY = new Map<string, RegistryMessage>();

for (const row of REGISTRY_ROWS) {
  const [id = '', severity = 'OK', args = '0', hw = '', fault = '', idTemplate = '', ...rest] =
    row.split('|');
  const msg: RegistryMessage = {
    id,
    severity,
    args: Number(args),
    template: rest.join('|'),
    hwType: HW_SET.has(hw) ? (hw as HwType) : 'unknown',
    faultClass: FAULT_SET.has(fault) ? (fault as FaultClass) : 'informational',
    idTemplate,
  };
  BY_ID.set(id, msg);
  const key = id.slice(id.indexOf('.') + 1);
  if (!BY_KEY.has(key)) BY_KEY.set(key, msg);
}

/** The parts of a Redfish `MessageId` (`Registry.Major.Minor[.Errata].MessageKey`). */
export interface MessageIdParts {
  prefix: string;
  version?: string;
  key: string;
}

const MESSAGE_ID_RE = /^([A-Za-z][\w-]*)\.(?:(\d+(?:\.\d+){0,2})\.)?([A-Za-z][\w-]*)$/;

/** `Platform.1.3.2.MemoryUncorrectableError` → prefix, version, key; undefined for other shapes. */
export function parseMessageId(messageId: string): MessageIdParts | undefined {
  const m = MESSAGE_ID_RE.exec(messageId);
  if (m === null) return undefined;
  return m[2] !== undefined ? { prefix: m[1]!, version: m[2], key: m[3]! } : { prefix: m[1]!, key: m[3]! };
}

/**
 * The registry message for a `MessageId`: exact prefix first, then the same key in any registry we
 * carry (a `Thermal.1.0.TemperatureAboveUpperCautionThreshold` is the Environmental message).
 */
export function lookupMessage(
  parts: MessageIdParts,
): { message: RegistryMessage; exact: boolean } | undefined {
  const exact = BY_ID.get(`${parts.prefix}.${parts.key}`);
  if (exact !== undefined) return { message: exact, exact: true };
  const byKey = BY_KEY.get(parts.key);
  return byKey === undefined ? undefined : { message: byKey, exact: false };
}

const ARG_RE = /%(\d+)/g;

/** Substitutes `%1`… with the arguments; undefined when an argument the template needs is missing. */
export function fillTemplate(template: string, args: readonly string[]): string | undefined {
  let missing = false;
  const out = template.replace(ARG_RE, (_, n: string) => {
    const v = args[Number(n) - 1];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

const NAMED_ARG_RE = /([A-Za-z][A-Za-z ]*?)=%(\d+)/g;

/** `Socket=%1 Channel=%2` → { socket: args[0], channel: args[1] }: the arguments a message names. */
export function namedArgs(template: string, args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of template.matchAll(NAMED_ARG_RE)) {
    const v = args[Number(m[2]) - 1];
    if (v !== undefined) out[m[1]!.trim().toLowerCase().replace(/\s+/g, '_')] = v;
  }
  return out;
}
