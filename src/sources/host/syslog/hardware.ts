import type { FaultClass, HwType, SeverityCode } from '../../../model/event.js';

/** A hardware component named by a kernel log line (EDAC, MCE, PCIe AER, block layer). */
export interface HardwareFinding {
  type: HwType;
  id?: string;
  faultClass?: FaultClass;
  /** How bad the line is by itself; the decoder keeps the worse of this and the syslog priority. */
  severity: SeverityCode;
  /** Decoder-specific details (`syslog.edac.*`, `syslog.mce.*`, `syslog.aer.*`). */
  details?: Record<string, string | number>;
}

// One cheap test first: almost no line names hardware, so the specific patterns rarely run.
const HINT =
  /EDAC|AER|PCIe Bus Error|Hardware Error|[Mm]achine [Cc]heck|MCE|Memory failure|memory error|I\/O error|(?:target|medium) error/;

const PCI = '(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}[.:][0-7]';

const EDAC_RE = /\bEDAC (?:[\w-]+ )?MC(\d+): (?:(\d+) )?(CE|UE)\b/;
const EDAC_ON_RE = / on (\S+?)(?: \(|$)/;
const EDAC_LABEL_RE = /label "([^"]+)"/;
const EDAC_CHANNEL_RE = /channel:(\d+) slot:(\d+)/;
const EDAC_ROW_RE = /\brow (\d+), channel (\d+)/;

const AER_BUS_RE = new RegExp(
  `(?:^|\\s)(?:(\\S+) )?(${PCI}):? (?:AER: )?PCIe Bus Error: severity=(Corrected|Uncorrect(?:ed|able) \\((?:Non-)?Fatal\\))(?:, type=([^,(]+))?`,
  'i',
);
const AER_RECEIVED_RE = new RegExp(
  `(${PCI})(?::\\S*)?: (?:AER: )?(Multiple )?(Corrected|Uncorrect(?:ed|able) \\((?:Non-)?Fatal\\)) error received(?::? ?(${PCI}))?`,
  'i',
);

const MCE_BANK_RE = /CPU (\d+): Machine Check(?: Exception| Event)?: (\d+) Bank (\d+): ([0-9a-fA-F]{1,16})\b/;
/** An EDAC memory-controller driver (sb_edac, skx_edac, i10nm) reporting the MCE it handles. */
const EDAC_MC_DRIVER_RE = /\bEDAC [\w-]+ MC(\d+):/;
const AMD_STATUS_RE =
  /(?:CPU:(\d+) \(([0-9a-fA-F]+):[0-9a-fA-F]+:[0-9a-fA-F]+\) .*)?MC(\d+)_STATUS\[([^\]]*)\]/;
/** Pre-SMCA AMD families (K8 0xf to 0x16): bank 4 is the northbridge, where the DRAM controller reports. */
const AMD_NB_BANK = 4;
const AMD_SMCA_FAMILY = 0x17;

// rasdaemon `ras-mc-ctl` rows (util/ras-mc-ctl.in), the layout parser already took id and time.
const RAS_MC_EVENT_RE =
  /^(\d+) (Corrected|Uncorrected|Fatal|Deferred|Info) error\(s\): (.*?) at (.*?) location: (-?\d+):(-?\d+):(-?\d+):(-?\d+)/;
const RAS_MC_SUMMARY_RE =
  /^(Corrected|Uncorrected|Fatal|Deferred|Info) on DIMM Label\(s\): '(.*)' location: (-?\d+):(-?\d+):(-?\d+):(-?\d+) errors: (\d+)$/;
const RAS_AER_EVENT_RE = new RegExp(`^(${PCI}) (Corrected|Uncorrected \\((?:Non-)?Fatal\\)) error: (.*)$`);
const RAS_AER_SUMMARY_RE = /^(\d+) (Corrected|Uncorrected \((?:Non-)?Fatal\)) errors: (.*)$/;
const XEN_MCE_RE =
  /MCE: .*?\b(non fatal|fatal)?,? ?(correctable|uncorrectable) incident occurred on CPU (\d+)/i;
const FATAL_MCE_RE =
  /Fatal [Mm]achine check|Machine check: Processor context corrupt|Kernel panic.*[Mm]achine check/;
const MEMORY_FAILURE_RE =
  /Memory failure: (0x[0-9a-fA-F]+): recovery action for [^:]+: (Recovered|Failed|Ignored|Delayed)/;
const HW_ERROR_RE = /\[Hardware Error\]/;
const DISK_RE =
  /\b(?:I\/O|critical (?:target|medium|space allocation|nexus)|medium|unrecovered read) error,? (?:on )?dev(?:ice)? ([\w-]+)/;

function aerClass(severityText: string): { faultClass: FaultClass; severity: SeverityCode } {
  const s = severityText.toLowerCase();
  if (s === 'corrected') return { faultClass: 'correctable', severity: 4 };
  return { faultClass: 'uncorrectable', severity: s.includes('non-fatal') ? 3 : 2 };
}

/** Linux writes the PCI function as `00:03.0`; AER's source id sometimes as `00:03:0`. */
function normalizePci(address: string): string {
  const lower = address.toLowerCase();
  const fixed =
    lower.length > 2 && lower[lower.length - 2] === ':' ? `${lower.slice(0, -2)}.${lower.slice(-1)}` : lower;
  return fixed.length === 7 ? `0000:${fixed}` : fixed;
}

function edac(message: string): HardwareFinding | undefined {
  const m = EDAC_RE.exec(message);
  if (m === null) return undefined;
  const corrected = m[3] === 'CE';
  const finding: HardwareFinding = {
    type: 'memory',
    faultClass: corrected ? 'correctable' : 'uncorrectable',
    severity: corrected ? 4 : 3,
    details: { 'syslog.edac.mc': Number(m[1]) },
  };
  if (m[2] !== undefined) finding.details!['syslog.edac.count'] = Number(m[2]);
  const rest = message.slice(m.index + m[0].length);
  const label = EDAC_LABEL_RE.exec(rest);
  const on = EDAC_ON_RE.exec(rest);
  const row = EDAC_ROW_RE.exec(rest);
  if (label !== null && label[1] !== '-') finding.id = label[1]!;
  else if (on !== null) finding.id = on[1]!;
  // Old-style EDAC lines with an empty DIMM label still name the csrow and channel.
  else if (row !== null) finding.id = `MC${m[1]}_csrow${row[1]}_channel${row[2]}`;
  const ch = EDAC_CHANNEL_RE.exec(rest);
  if (ch !== null) {
    finding.details!['syslog.edac.channel'] = Number(ch[1]);
    finding.details!['syslog.edac.slot'] = Number(ch[2]);
  }
  return finding;
}

function aer(message: string): HardwareFinding | undefined {
  const bus = AER_BUS_RE.exec(message);
  if (bus !== null) {
    const cls = aerClass(bus[3]!);
    const details: Record<string, string | number> = { 'syslog.aer.severity': bus[3]! };
    if (bus[4] !== undefined) details['syslog.aer.type'] = bus[4].trim();
    if (bus[1] !== undefined && bus[1] !== 'AER:') details['syslog.aer.driver'] = bus[1];
    return { type: 'pcie', id: normalizePci(bus[2]!), ...cls, details };
  }
  const rec = AER_RECEIVED_RE.exec(message);
  if (rec !== null) {
    const cls = aerClass(rec[3]!);
    // The source device is the one at fault; the root port only relayed the message.
    const id = normalizePci(rec[4] ?? rec[1]!);
    const details: Record<string, string | number> = {
      'syslog.aer.severity': rec[3]!,
      'syslog.aer.reporter': normalizePci(rec[1]!),
    };
    if (rec[2] !== undefined) details['syslog.aer.multiple'] = 'true';
    return { type: 'pcie', id, ...cls, details };
  }
  return undefined;
}

/** MCi_STATUS bit 63 is VAL, 61 UC, 57 PCC: a processor-context-corrupt error cannot be survived. */
function mceStatusClass(hex: string): { faultClass?: FaultClass; severity: SeverityCode } {
  if (hex.length < 16) return { severity: 4 };
  const top = Number.parseInt(hex[0]!, 16);
  const next = Number.parseInt(hex[1]!, 16);
  if ((top & 8) === 0) return { severity: 4 };
  if ((top & 2) === 0) return { faultClass: 'correctable', severity: 4 };
  return { faultClass: 'uncorrectable', severity: (next & 2) !== 0 ? 2 : 3 };
}

function mce(message: string): HardwareFinding | undefined {
  const bank = MCE_BANK_RE.exec(message);
  if (bank !== null) {
    const status = bank[4]!.toLowerCase();
    const details: Record<string, string | number> = {
      'syslog.mce.bank': Number(bank[3]),
      'syslog.mce.status': status,
      'syslog.mce.cpu': Number(bank[1]),
    };
    // The error code, not the bank number, names the unit on Intel: MCACOD 000F 0000 1MMM CCCC is a
    // memory-controller error, and the EDAC memory drivers only report those.
    const mcacod = Number.parseInt(status.slice(-4), 16);
    const edacMc = EDAC_MC_DRIVER_RE.exec(message);
    if ((mcacod & 0xef80) === 0x0080 || edacMc !== null) {
      if (edacMc !== null) details['syslog.edac.mc'] = Number(edacMc[1]);
      return { type: 'memory', ...mceStatusClass(status), details };
    }
    return { type: 'cpu', id: `CPU${bank[1]}`, ...mceStatusClass(status), details };
  }
  const xen = XEN_MCE_RE.exec(message);
  if (xen !== null) {
    const correctable = xen[2]!.toLowerCase() === 'correctable';
    return {
      type: 'cpu',
      id: `CPU${xen[3]}`,
      faultClass: correctable ? 'correctable' : 'uncorrectable',
      severity: correctable ? 4 : xen[1]?.toLowerCase() === 'fatal' ? 2 : 3,
    };
  }
  if (FATAL_MCE_RE.test(message)) return { type: 'cpu', faultClass: 'uncorrectable', severity: 2 };
  const failure = MEMORY_FAILURE_RE.exec(message);
  if (failure !== null) {
    const recovered = failure[2] === 'Recovered';
    return {
      type: 'memory',
      faultClass: recovered ? 'recovered' : 'uncorrectable',
      severity: recovered ? 4 : 3,
      details: { 'syslog.memory_failure.pfn': failure[1]!, 'syslog.memory_failure.result': failure[2]! },
    };
  }
  if (/Uncorrected hardware memory error/.test(message)) {
    return { type: 'memory', faultClass: 'uncorrectable', severity: 3 };
  }
  if (!HW_ERROR_RE.test(message)) return undefined;
  const amd = AMD_STATUS_RE.exec(message);
  if (amd !== null) {
    const flags = `|${amd[4]}|`;
    const bankNo = Number(amd[3]);
    const family = amd[2] === undefined ? undefined : Number.parseInt(amd[2], 16);
    // The bank decides the part: the northbridge bank of pre-SMCA parts holds the DRAM controller;
    // on SMCA parts only the bank's IPID says, so the kernel's wording (UMC, DRAM ECC) decides.
    const memory =
      (family !== undefined && family < AMD_SMCA_FAMILY && bankNo === AMD_NB_BANK) ||
      /Unified Memory Controller|\bUMC\b|DRAM ECC/i.test(message);
    const finding: HardwareFinding = {
      type: memory ? 'memory' : 'cpu',
      severity: 4,
      details: { 'syslog.mce.bank': bankNo },
    };
    if (flags.includes('|UC|')) {
      finding.faultClass = 'uncorrectable';
      finding.severity = flags.includes('|PCC|') ? 2 : 3;
    } else if (flags.includes('|CE|')) finding.faultClass = 'correctable';
    if (amd[1] !== undefined) {
      if (memory) finding.details!['syslog.mce.cpu'] = Number(amd[1]);
      else finding.id = `CPU${amd[1]}`;
    }
    return finding;
  }
  // A bare "[Hardware Error]" line (GHES, mce) names the error class only by its wording.
  const type: HwType = /memory error|DRAM|\bECC\b/i.test(message)
    ? 'memory'
    : /PCIe error/i.test(message)
      ? 'pcie'
      : 'cpu';
  const finding: HardwareFinding = { type, severity: 4 };
  if (/\buncorrect|\bfatal\b|\brecoverable\b/i.test(message)) {
    finding.faultClass = 'uncorrectable';
    finding.severity = 3;
  } else if (/\bcorrected\b/i.test(message)) finding.faultClass = 'correctable';
  return finding;
}

function disk(message: string): HardwareFinding | undefined {
  const m = DISK_RE.exec(message);
  if (m === null) return undefined;
  return { type: 'physical_disk', id: m[1]!, faultClass: 'uncorrectable', severity: 3 };
}

/**
 * The hardware component a kernel message is about, when its text names one: EDAC memory errors
 * (DIMM label as hw.id), machine checks (logical CPU), PCIe AER (PCI address of the faulting
 * function), and block-layer I/O errors (device name). Messages that only mention the subsystem
 * ("machine check reporting enabled on CPU#0") name no fault and give undefined.
 */
export function classifyHardware(message: string): HardwareFinding | undefined {
  if (!HINT.test(message)) return undefined;
  return edac(message) ?? aer(message) ?? mce(message) ?? disk(message);
}

/**
 * A `ras-mc-ctl --errors` / `--summary` row (the layout parser has taken id and time): memory
 * controller errors with the DIMM label rasdaemon resolved (the same hw.id the EDAC kernel line
 * gives), and PCIe AER rows with the device.
 */
export function classifyRasMcCtl(message: string): HardwareFinding | undefined {
  const mc = RAS_MC_EVENT_RE.exec(message) ?? RAS_MC_SUMMARY_RE.exec(message);
  if (mc !== null) {
    const summary = mc.length === 8;
    const kind = summary ? mc[1]! : mc[2]!;
    const label = summary ? mc[2]! : mc[4]!;
    const [m, top, mid, low] = summary ? mc.slice(3, 7) : mc.slice(5, 9);
    const corrected = kind === 'Corrected' || kind === 'Deferred' || kind === 'Info';
    const finding: HardwareFinding = {
      type: 'memory',
      faultClass: kind === 'Info' ? 'informational' : corrected ? 'correctable' : 'uncorrectable',
      severity: corrected ? 4 : kind === 'Fatal' ? 2 : 3,
      details: {
        'syslog.edac.mc': Number(m),
        'syslog.ras.location': `${m}:${top}:${mid}:${low}`,
        'syslog.edac.count': Number(summary ? mc[7] : mc[1]),
      },
    };
    if (!summary) finding.details!['syslog.ras.error'] = mc[3]!;
    if (label !== '' && !/^unknown memory/i.test(label)) finding.id = label;
    return finding;
  }
  const aerRow = RAS_AER_EVENT_RE.exec(message);
  if (aerRow !== null) {
    return {
      type: 'pcie',
      id: normalizePci(aerRow[1]!),
      ...aerClass(aerRow[2]!),
      details: { 'syslog.aer.severity': aerRow[2]!, 'syslog.aer.type': aerRow[3]! },
    };
  }
  const aerSum = RAS_AER_SUMMARY_RE.exec(message);
  if (aerSum !== null) {
    return {
      type: 'pcie',
      ...aerClass(aerSum[2]!),
      details: {
        'syslog.aer.severity': aerSum[2]!,
        'syslog.aer.type': aerSum[3]!,
        'syslog.aer.count': Number(aerSum[1]),
      },
    };
  }
  return undefined;
}

const HPC_COMPONENT_RE = /Component \\042(.+?)\\042 is in the unavailable state/;
const HPC_NIFF_RE = /failed network connection .*? via interface (\S+)/;

/**
 * LANL HPC events name the failing part in the state column (Loghub HPC layout): power supplies,
 * over-temperature, NIFF network checks, and components going unavailable.
 */
export function classifyHpcState(state: string, message: string): HardwareFinding | undefined {
  switch (state) {
    case 'psu':
      return /psu failure/i.test(message)
        ? { type: 'power_supply', faultClass: 'failure', severity: 3 }
        : undefined;
    case 'temphigh':
      return { type: 'temperature', faultClass: 'predictive', severity: 4 };
    case 'net.niff.down': {
      const m = HPC_NIFF_RE.exec(message);
      const finding: HardwareFinding = { type: 'network', faultClass: 'failure', severity: 3 };
      if (m !== null) finding.id = m[1]!;
      return finding;
    }
    case 'state_change.unavailable': {
      const m = HPC_COMPONENT_RE.exec(message);
      if (m === null) return undefined;
      const id = m[1]!;
      const type: HwType = id.startsWith('SCSI-WWID')
        ? 'physical_disk'
        : /^(?:alt|eth)\d/.test(id)
          ? 'network'
          : 'unknown';
      return { type, id, faultClass: 'failure', severity: 3 };
    }
    default:
      return undefined;
  }
}
