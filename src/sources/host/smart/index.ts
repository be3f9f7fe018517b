import type { FaultClass, FaultEvent, SeverityCode } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import { jsonFramer } from '../../framing.js';
import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../../types.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** ATA attribute ids smartctl users watch, and the smart.* key each one is stored under. */
const ATA_ATTRIBUTES: Record<number, string> = {
  5: 'smart.reallocated_sectors',
  187: 'smart.reported_uncorrect',
  196: 'smart.reallocation_events',
  197: 'smart.pending_sectors',
  198: 'smart.offline_uncorrectable',
  199: 'smart.udma_crc_errors',
};

/** Bits of the NVMe SMART/Health log "Critical Warning" byte (NVMe base spec, Figure "SMART / Health"). */
const NVME_CRITICAL_WARNING = [
  'available spare below threshold',
  'temperature out of range',
  'reliability degraded',
  'media read-only',
  'volatile memory backup failed',
  'persistent memory region unreliable',
];

/**
 * The raw count smartctl prints first ("304", "0 (0 0)"): for some vendors `raw.value` packs other
 * counters into the upper bytes, the printed leading number is the count itself.
 */
function ataRaw(attr: Json): number | undefined {
  const raw = obj(attr.raw);
  if (raw === undefined) return undefined;
  const lead = typeof raw.string === 'string' ? /^\s*(\d+)/.exec(raw.string) : null;
  return lead !== null ? Number(lead[1]) : num(raw.value);
}

interface Verdict {
  faultClass: FaultClass;
  reasons: string[];
}

function smartctlMessages(smartctl: Json | undefined): string | undefined {
  const list = Array.isArray(smartctl?.messages) ? smartctl.messages : [];
  const texts = list.map((m) => str(obj(m)?.string)).filter((s): s is string => s !== undefined);
  return texts.length > 0 ? texts.join('; ') : undefined;
}

/** Fills the ATA attribute fields; returns the predictive reasons they give. */
function ataAttributes(doc: Json, event: FaultEvent): string[] {
  const reasons: string[] = [];
  const table = obj(doc.ata_smart_attributes)?.table;
  if (!Array.isArray(table)) return reasons;
  const failingNow: string[] = [];
  const failedInPast: string[] = [];
  for (const item of table) {
    const attr = obj(item);
    const id = num(attr?.id);
    if (attr === undefined || id === undefined) continue;
    const key = ATA_ATTRIBUTES[id];
    const raw = ataRaw(attr);
    if (key !== undefined && raw !== undefined) event[key as `smart.${string}`] = raw;
    if ((id === 5 || id === 197 || id === 198) && raw !== undefined && raw > 0) {
      reasons.push(`${raw} ${str(attr.name) ?? `attribute ${id}`}`);
    }
    const name = str(attr.name) ?? String(id);
    if (attr.when_failed === 'now') failingNow.push(name);
    else if (attr.when_failed === 'past') failedInPast.push(name);
  }
  if (failingNow.length > 0) {
    event['smart.failing_attributes'] = failingNow;
    reasons.push(`attributes at or below threshold: ${failingNow.join(', ')}`);
  }
  if (failedInPast.length > 0) event['smart.failed_in_past_attributes'] = failedInPast;
  return reasons;
}

/** Fills the NVMe health-log fields; returns the predictive reasons they give. */
function nvmeHealth(doc: Json, event: FaultEvent): string[] {
  const log = obj(doc.nvme_smart_health_information_log);
  if (log === undefined) return [];
  const reasons: string[] = [];
  const fields: [string, string][] = [
    ['critical_warning', 'smart.nvme.critical_warning'],
    ['percentage_used', 'smart.nvme.percentage_used'],
    ['media_errors', 'smart.nvme.media_errors'],
    ['available_spare', 'smart.nvme.available_spare'],
    ['available_spare_threshold', 'smart.nvme.available_spare_threshold'],
    ['unsafe_shutdowns', 'smart.nvme.unsafe_shutdowns'],
    ['num_err_log_entries', 'smart.nvme.error_log_entries'],
    ['data_units_written', 'smart.nvme.data_units_written'],
  ];
  for (const [from, to] of fields) {
    const v = num(log[from]);
    if (v !== undefined) event[to as `smart.${string}`] = v;
  }
  const warning = num(log.critical_warning) ?? 0;
  if (warning !== 0) {
    const bits = NVME_CRITICAL_WARNING.filter((_, i) => (warning & (1 << i)) !== 0);
    reasons.push(
      `NVMe critical_warning 0x${warning.toString(16)}${bits.length > 0 ? ` (${bits.join(', ')})` : ''}`,
    );
  }
  const media = num(log.media_errors) ?? 0;
  if (media > 0) reasons.push(`${media} NVMe media errors`);
  return reasons;
}

/** Fills the SCSI fields; a grown defect list is SCSI's reallocated-sector count. */
function scsiHealth(doc: Json, event: FaultEvent): string[] {
  const reasons: string[] = [];
  const grown = num(doc.scsi_grown_defect_list);
  if (grown !== undefined) {
    event['smart.scsi.grown_defects'] = grown;
    if (grown > 0) reasons.push(`${grown} grown defects`);
  }
  const log = obj(doc.scsi_error_counter_log);
  if (log !== undefined) {
    let uncorrected = 0;
    for (const page of ['read', 'write', 'verify']) {
      const v = num(obj(log[page])?.total_uncorrected_errors);
      if (v !== undefined) {
        event[`smart.scsi.${page}_uncorrected_errors`] = v;
        uncorrected += v;
      }
    }
    if (uncorrected > 0) reasons.push(`${uncorrected} uncorrected SCSI errors`);
  }
  return reasons;
}

function verdict(doc: Json, passed: boolean | undefined, predictive: string[]): Verdict {
  const exit = num(obj(doc.smartctl)?.exit_status) ?? 0;
  // smartctl exit bit 3: "SMART status check returned DISK FAILING".
  if (passed === false || (exit & 8) !== 0) {
    return { faultClass: 'failure', reasons: ['SMART overall-health self-assessment FAILED', ...predictive] };
  }
  // Exit bit 4: "prefail attributes <= threshold".
  if ((exit & 16) !== 0) predictive.push('smartctl reports prefail attributes at or below threshold');
  return predictive.length > 0
    ? { faultClass: 'predictive', reasons: predictive }
    : { faultClass: 'informational', reasons: [] };
}

const SEVERITY: Record<string, SeverityCode> = { failure: 2, predictive: 4, informational: 6 };

function decodeDevice(
  doc: Json,
  payload: string,
  path: string,
  index: number,
  ctx: DecodeContext,
): DecodeResult | FaultEvent {
  const smartctl = obj(doc.smartctl);
  const device = obj(doc.device);
  if (device === undefined) {
    if (Array.isArray(doc.devices)) {
      return rejected('smartctl --scan output lists devices and carries no health data', `${path}.devices`);
    }
    const messages = smartctlMessages(smartctl);
    if (messages !== undefined) {
      return rejected(
        `smartctl error (exit status ${num(smartctl?.exit_status) ?? '?'}): ${messages}`,
        `${path}.smartctl`,
      );
    }
    return rejected('not smartctl --json output: no "device" object', path);
  }
  const deviceName = str(device.name);
  if (deviceName === undefined) return rejected('smartctl device has no name', `${path}.device.name`);
  const serial = str(doc.serial_number);
  const model =
    str(doc.model_name) ??
    str(doc.scsi_model_name) ??
    str([str(doc.vendor), str(doc.product)].filter(Boolean).join(' '));
  const status = obj(doc.smart_status);
  const passed = typeof status?.passed === 'boolean' ? status.passed : undefined;
  const exit = num(smartctl?.exit_status) ?? 0;
  // Exit bits 0–1: bad command line or device open failed; with no identity there is no reading.
  if ((exit & 3) !== 0 && serial === undefined && model === undefined && passed === undefined) {
    return rejected(
      `smartctl could not read ${deviceName} (exit status ${exit}): ${smartctlMessages(smartctl) ?? 'no message'}`,
      `${path}.smartctl`,
    );
  }

  const localTime = num(obj(doc.local_time)?.time_t);
  const timestamp =
    (localTime !== undefined ? toIso(localTime * 1000) : undefined) ??
    (ctx.receivedAt !== undefined ? toIso(ctx.receivedAt) : undefined) ??
    new Date().toISOString();

  const event = baseEvent(
    {
      source: 'smart',
      dataset: 'host.smart',
      original: payload,
      timestamp,
      severity: 6,
      message: '',
      kind: 'state',
      ...(index >= 0 ? { discriminator: String(index) } : {}),
    },
    ctx,
  );
  const host = str(doc.host) ?? str(doc.hostname);
  if (host !== undefined) event['host.name'] = host;
  event['hw.type'] = 'physical_disk';
  event['hw.id'] = serial ?? deviceName;
  if (model !== undefined) event['hw.name'] = model;
  event['smart.device.name'] = deviceName;
  const deviceType = str(device.type);
  if (deviceType !== undefined) event['smart.device.type'] = deviceType;
  const protocol = str(device.protocol);
  if (protocol !== undefined) event['smart.protocol'] = protocol;
  if (serial !== undefined) event['smart.serial_number'] = serial;
  const family = str(doc.model_family);
  if (family !== undefined) event['smart.model_family'] = family;
  const firmware = str(doc.firmware_version) ?? str(doc.revision) ?? str(doc.scsi_revision);
  if (firmware !== undefined) event['smart.firmware_version'] = firmware;
  const capacity = num(obj(doc.user_capacity)?.bytes) ?? num(doc.nvme_total_capacity);
  if (capacity !== undefined) event['smart.capacity_bytes'] = capacity;
  const rotation = num(doc.rotation_rate);
  if (rotation !== undefined) event['smart.rotation_rate'] = rotation;
  if (passed !== undefined) event['smart.passed'] = passed;
  event['smart.exit_status'] = exit;
  const temperature = num(obj(doc.temperature)?.current);
  if (temperature !== undefined) event['smart.temperature'] = temperature;
  const hours = num(obj(doc.power_on_time)?.hours);
  if (hours !== undefined) event['smart.power_on_hours'] = hours;
  const cycles = num(doc.power_cycle_count);
  if (cycles !== undefined) event['smart.power_cycles'] = cycles;

  const predictive = [...ataAttributes(doc, event), ...nvmeHealth(doc, event), ...scsiHealth(doc, event)];
  const v = verdict(doc, passed, predictive);
  event['hw.fault.class'] = v.faultClass;
  event['event.severity'] = SEVERITY[v.faultClass]!;
  if (v.reasons.length > 0) event['smart.reasons'] = v.reasons;
  const label = `${deviceName}${model !== undefined ? ` ${model}` : ''}${serial !== undefined ? ` (serial ${serial})` : ''}`;
  const head =
    v.faultClass === 'failure'
      ? 'SMART FAILED'
      : v.faultClass === 'predictive'
        ? 'SMART predictive failure signs'
        : 'SMART passed';
  event.message = `${head}: ${label}${v.reasons.length > 0 ? `: ${v.reasons.join('; ')}` : ''}`;
  return event;
}

function decodeSmart(payload: string, ctx: DecodeContext): DecodeResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (error) {
    return rejected(`invalid JSON: ${(error as Error).message}`, '$');
  }
  // A collector may wrap several devices' output in one array.
  const items = Array.isArray(doc) ? doc : [doc];
  const events: FaultEvent[] = [];
  for (let i = 0; i < items.length; i++) {
    const path = Array.isArray(doc) ? `$[${i}]` : '$';
    const item = obj(items[i]);
    if (item === undefined) return rejected('expected a smartctl --json object', path);
    const result = decodeDevice(item, payload, path, Array.isArray(doc) ? i : -1, ctx);
    if ('ok' in result) return result;
    events.push(result);
  }
  if (events.length === 0) return rejected('empty array: no smartctl output', '$');
  return decoded(...events);
}

/**
 * Disk health from `smartctl --json` (ATA, NVMe and SCSI): one `physical_disk` event per device,
 * `hw.fault.class` failure when the drive's self-assessment fails, predictive on reallocated,
 * pending or offline-uncorrectable sectors, NVMe critical warnings or media errors, or SCSI grown
 * defects, informational otherwise. Documents may be NDJSON, pretty-printed, or concatenated.
 */
export const smartSource: Source = {
  id: 'smart',
  dataset: 'host.smart',
  description: 'smartctl --json disk health (ATA, NVMe, SCSI) as physical_disk events',
  contentType: 'application/json',
  createFramer: jsonFramer,
  decode: decodeSmart,
};
