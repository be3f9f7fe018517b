import type { HwType, SeverityCode } from '../../model/event.js';

/*
 * `hw.id` is the key rules group by ("correctable ECC per DIMM") and the join between SEL, Redfish and
 * kernel (EDAC/rasdaemon) events, so every source must spell the same part the same way:
 *   DIMMs   CPU<n>_DIMM_<slot> or DIMM_<slot>  (CPU0_DIMM_C1, DIMM_A1)
 *   PSUs    PS<n> / PSU<n> / PWS<n>            (as the vendor abbreviates; "Power Supply 2" → PS2)
 *   fans    [SYS_|CPU_…]FAN<n>                 (FAN1, SYS_FAN2)
 *   CPUs    CPU<n>                             (only for processor events)
 * and otherwise the sensor name with runs of other characters folded to `_`.
 */

// Slot letters are upper case so that "DIMMs" or "DIMM Temp" are not read as slot "S" or "TE"; a
// digit may precede "DIMM" ("Bank 2DIMM A").
const DIMM_CPU_FIRST_RE =
  /(?<![A-Za-z])(?:(?:[Cc][Pp][Uu]|[Pp][Rr][Oo][Cc]|P)[\s_-]?(\d{1,2})[\s_-]*)?[Dd][Ii][Mm][Mm][\s_#-]*([A-Z]{1,2}\d{0,2}[A-Z]?\d{0,2}|\d{1,2}[A-Z]?\d{0,2})(?![A-Za-z0-9])/;
const DIMM_CPU_AFTER_RE =
  /DIMM[\s_#-]*([A-Z]{1,2}\d{0,2}[A-Z]?|\d{1,2}[A-Z]?)\s*\(\s*(?:CPU|P)\s*(\d{1,2})\s*\)/i;
/** Inspur/Lenovo style `CPU0_G1`: socket, channel letter, slot — the same part as CPU0_DIMM_G1. */
const CPU_CHANNEL_SLOT_RE = /\bCPU(\d{1,2})_([A-Z])(\d{1,2})\b/;
const CPU_DIMM_NUMERIC_RE = /\bCPU\s*(\d{1,2})\s+DIMM\s*(\d{1,2})\b/i;
const PSU_RE = /\b(PSU|PS|PWS|Power\s*Supply)[\s_#-]*(\d{1,2})(?![\d.])/i;
const FAN_RE = /\b(?:(SYS|CPU|REAR|FRONT|PSU)[_\s-]?)?FAN[\s_#-]*(\d{1,2}[A-Z]?)(?![A-Za-z0-9])/i;
const CPU_RE = /\b(?:CPU|PROC|Processor|P)[\s_#-]*(\d{1,2})(?!\d)/i;
/** Cheap pre-check: most SEL lines name no part, and the three part patterns cost more than this. */
const PART_WORD_RE = /dimm|ps|pws|power|fan|cpu|[0-9]_[A-Z][0-9]/i;
const NON_ID_RUN_RE = /[^A-Za-z0-9.:-]+/g;
const EDGE_UNDERSCORES_RE = /^_+|_+$/g;

// `B5d/D03/F02` (AMI/Lenovo SEL text), `Bus 5D/Dev 03/Fun 02` (OpenBMC), `Bus:5D Device:03 Function:2`.
const PCI_BDF_RE =
  /\bB(?:us)?\s*[:#]?\s*([0-9A-F]{1,2})h?\s*[/,]?\s*D(?:ev(?:ice)?)?\s*[:#]?\s*([0-9A-F]{1,2})h?\s*[/,]?\s*F(?:un(?:c(?:tion)?)?)?\s*[:#]?\s*([0-9A-F]{1,2})h?\b/i;

/** A PCI bus/device/function named in BMC text, with the id the kernel's AER lines give the same function. */
export function pciAddress(
  text: string,
): { bus: number; device: number; function: number; id: string } | undefined {
  const m = PCI_BDF_RE.exec(text);
  if (m === null) return undefined;
  const bus = Number.parseInt(m[1]!, 16);
  const device = Number.parseInt(m[2]!, 16);
  const fn = Number.parseInt(m[3]!, 16);
  if (device > 31 || fn > 7) return undefined;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return { bus, device, function: fn, id: `0000:${hex(bus)}:${hex(device)}.${fn}` };
}

/** A sensor or resource name folded to an id: `PS1 Status` → `PS1_Status`. */
export function slugId(name: string): string {
  return name.replace(NON_ID_RUN_RE, '_').replace(EDGE_UNDERSCORES_RE, '');
}

/** Canonical DIMM id named in a text, undefined when it names none. */
export function dimmId(text: string): string | undefined {
  const numeric = CPU_DIMM_NUMERIC_RE.exec(text);
  if (numeric !== null) return `CPU${numeric[1]}_DIMM_${numeric[2]}`;
  const after = DIMM_CPU_AFTER_RE.exec(text);
  if (after !== null) return `CPU${after[2]}_DIMM_${after[1]!.toUpperCase()}`;
  const m = DIMM_CPU_FIRST_RE.exec(text);
  if (m === null) {
    const cs = CPU_CHANNEL_SLOT_RE.exec(text);
    return cs === null ? undefined : `CPU${cs[1]}_DIMM_${cs[2]}${cs[3]}`;
  }
  const slot = m[2]!.toUpperCase();
  return m[1] !== undefined ? `CPU${m[1]}_DIMM_${slot}` : `DIMM_${slot}`;
}

/** Canonical PSU id named in a text (`PS1`, `PSU2`; "Power Supply 2" → `PS2`). */
export function psuId(text: string): string | undefined {
  const m = PSU_RE.exec(text);
  if (m === null) return undefined;
  const prefix = /^power/i.test(m[1]!) ? 'PS' : m[1]!.toUpperCase();
  return `${prefix}${m[2]}`;
}

/** Canonical fan id named in a text (`FAN1`, `SYS_FAN2`). */
export function fanId(text: string): string | undefined {
  const m = FAN_RE.exec(text);
  if (m === null) return undefined;
  return `${m[1] !== undefined ? `${m[1].toUpperCase()}_` : ''}FAN${m[2]!.toUpperCase()}`;
}

/** `CPU<n>` named in a text (`P1`, `CPU 2`, `Processor 1`). */
export function cpuId(text: string): string | undefined {
  const m = CPU_RE.exec(text);
  return m === null ? undefined : `CPU${m[1]}`;
}

/**
 * The component an event is about. `texts` are searched in order (sensor name first, then event
 * text) for a part of the kind `hwType` says; the fallback is the sensor name itself.
 */
export function componentId(
  hwType: HwType,
  texts: readonly (string | undefined)[],
  fallbackName?: string,
): string | undefined {
  const present = texts.filter((t): t is string => t !== undefined && t !== '');
  const pick = (fn: (t: string) => string | undefined): string | undefined => {
    for (const t of present) {
      const id = fn(t);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  let id: string | undefined;
  switch (hwType) {
    case 'memory':
      id = pick(dimmId);
      break;
    case 'power_supply':
      id = pick(psuId);
      break;
    case 'fan':
      id = pick(fanId);
      break;
    case 'cpu':
      id = pick(cpuId);
      break;
    case 'temperature':
    case 'voltage':
    case 'current':
      // A reading sensor is its own part in OpenTelemetry terms: `PSU1 Temp` is not the PSU.
      break;
    default:
      // Firmware, system and OEM events that name a DIMM or PSU in their text are about that part.
      if (present.some((t) => PART_WORD_RE.test(t))) id = pick(dimmId) ?? pick(psuId) ?? pick(fanId);
  }
  if (id !== undefined) return id;
  if (fallbackName !== undefined && fallbackName !== '') {
    const slug = slugId(fallbackName);
    if (slug !== '') return slug;
  }
  return undefined;
}

/** Syslog severity for the severities BMCs write (Redfish `Severity`, FreeIPMI state, ipmiutil SEV). */
export function severityFromWord(word: string | undefined): SeverityCode | undefined {
  switch (word?.toLowerCase()) {
    case 'ok':
    case 'nominal':
    case 'inf':
      return 6;
    case 'warning':
    case 'min':
      return 4;
    case 'maj':
      return 3;
    case 'critical':
    case 'crt':
      return 2;
    default:
      return undefined;
  }
}
