/**
 * IPMI 2.0 event tables (spec §42, tables 42-1 … 42-3) as ipmitool, FreeIPMI, ipmiutil and Redfish
 * print them, with the fault meaning Faultline gives each state. Shared by the SEL decoder, the
 * Redfish decoder (EntryType SEL) and, later, the rule engine.
 *
 * Descriptions follow ipmitool's `include/ipmitool/ipmi_sel.h` (what `sel list` prints); aliases
 * cover FreeIPMI, ipmiutil and Redfish `EntryCode` wordings. Session Audit (0x2A) and the 0x08/0x07
 * "Power Supply Inactive" offset come from the IPMI 2.0 spec (errata 5), which ipmitool's table lacks.
 */
import type { FaultClass, HwType, SeverityCode } from '../../model/event.js';

/** Event/Reading type codes (IPMI 2.0 table 42-1). */
export const EVENT_TYPE_THRESHOLD = 0x01;
/** Event type of sensor-specific states (table 42-3): the offset means what the sensor type says. */
export const EVENT_TYPE_SENSOR_SPECIFIC = 0x6f;

/** One sensor type (table 42-3) and the `hw.type` its events are about. */
export interface SensorTypeInfo {
  readonly code: number;
  /** The name ipmitool prints (`ipmi_generic_sensor_type_vals`). */
  readonly name: string;
  readonly hwType: HwType;
}

/** One event state (offset) with the fault meaning Faultline gives it. */
export interface OffsetInfo {
  readonly offset: number;
  readonly desc: string;
  readonly faultClass: FaultClass;
  readonly severity: SeverityCode;
  /** When the offset names a different part than the sensor type does (PCI SERR on a critical-interrupt sensor). */
  readonly hwType?: HwType;
  /** Meaning of a deassertion when it is not "the fault went away" (presence lost, redundancy lost). */
  readonly deasserted?: { readonly faultClass: FaultClass; readonly severity: SeverityCode };
  readonly aliases?: readonly string[];
}

const SENSOR_TYPE_LIST: readonly [number, string, HwType, readonly string[]][] = [
  [0x01, 'Temperature', 'temperature', []],
  [0x02, 'Voltage', 'voltage', []],
  [0x03, 'Current', 'current', []],
  [0x04, 'Fan', 'fan', []],
  [0x05, 'Physical Security', 'enclosure', ['Physical Chassis Security', 'Chassis Intrusion']],
  [0x06, 'Platform Security', 'system', ['Platform Security Violation Attempt', 'Security Violation']],
  [0x07, 'Processor', 'cpu', ['CPU']],
  [0x08, 'Power Supply', 'power_supply', ['Power Supply / Converter', 'PowerSupply', 'PSU']],
  [0x09, 'Power Unit', 'power_supply', []],
  [0x0a, 'Cooling Device', 'fan', []],
  [0x0b, 'Other', 'unknown', ['Other Units Based Sensor', 'Other Units-based Sensor', 'FRU Sensor']],
  [0x0c, 'Memory', 'memory', []],
  [0x0d, 'Drive Slot / Bay', 'physical_disk', ['Drive Slot', 'Drive Slot/Bay', 'Drive Bay']],
  [0x0e, 'POST Memory Resize', 'memory', []],
  [
    0x0f,
    'System Firmwares',
    'firmware',
    ['System Firmware Progress', 'System Firmware', 'System Firmware Error'],
  ],
  [0x10, 'Event Logging Disabled', 'bmc', ['Event Log', 'SEL Disabled', 'Event Logging']],
  [0x11, 'Watchdog1', 'system', ['Watchdog 1', 'Watchdog_1']],
  [0x12, 'System Event', 'system', []],
  [0x13, 'Critical Interrupt', 'system', []],
  [0x14, 'Button', 'enclosure', ['Button/Switch', 'Button / Switch']],
  [0x15, 'Module / Board', 'board', ['Module/Board', 'Board']],
  [0x16, 'Microcontroller', 'board', ['Microcontroller/Coprocessor', 'Microcontroller / Coprocessor']],
  [0x17, 'Add-in Card', 'pcie', ['Add In Card']],
  [0x18, 'Chassis', 'enclosure', []],
  [0x19, 'Chip Set', 'board', ['Chipset']],
  [0x1a, 'Other FRU', 'board', []],
  [0x1b, 'Cable / Interconnect', 'board', ['Cable/Interconnect']],
  [0x1c, 'Terminator', 'board', []],
  [
    0x1d,
    'System Boot Initiated',
    'system',
    ['System Boot/Restart Initiated', 'System Boot/Restart', 'System Boot'],
  ],
  [0x1e, 'Boot Error', 'system', []],
  [0x1f, 'OS Boot', 'system', ['Base OS Boot/Installation Status', 'BaseOSBoot/InstallationStatus']],
  [
    0x20,
    'OS Critical Stop',
    'system',
    ['OS Critical Stop/Shutdown', 'OS Stop/Shutdown', 'OS Stop / Shutdown'],
  ],
  [0x21, 'Slot / Connector', 'pcie', ['Slot/Connector']],
  [0x22, 'System ACPI Power State', 'system', ['ACPI Power State', 'System ACPI PowerState']],
  [0x23, 'Watchdog2', 'system', ['Watchdog 2', 'Watchdog_2', 'Watchdog']],
  [0x24, 'Platform Alert', 'bmc', []],
  [0x25, 'Entity Presence', 'board', []],
  [0x26, 'Monitor ASIC', 'board', ['Monitor ASIC/IC']],
  [0x27, 'LAN', 'network', []],
  [0x28, 'Management Subsys Health', 'bmc', ['Management Subsystem Health']],
  [0x29, 'Battery', 'battery', []],
  [0x2a, 'Session Audit', 'bmc', ['SessionAudit']],
  [0x2b, 'Version Change', 'firmware', []],
  [0x2c, 'FRU State', 'board', ['FRUState']],
];

const SENSOR_TYPES = new Map<number, SensorTypeInfo>();
const SENSOR_TYPE_BY_NAME = new Map<string, SensorTypeInfo>();
/** Every printed name, for splitting `<Sensor Type> <Sensor Name>` columns (ipmitool elist). */
const PRINTED_NAMES: string[] = ['Unknown'];

/** Lower-case, alphanumerics only: the key used to compare names across tools and vendors. */
export function normalizeKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

for (const [code, name, hwType, aliases] of SENSOR_TYPE_LIST) {
  const info: SensorTypeInfo = { code, name, hwType };
  SENSOR_TYPES.set(code, info);
  for (const n of [name, ...aliases]) {
    SENSOR_TYPE_BY_NAME.set(normalizeKey(n), info);
    PRINTED_NAMES.push(n);
  }
}
// ipmitool ≥ 1.8.19 prints the longer spelling; older releases print the short one.
PRINTED_NAMES.push('Management Subsystem Health');

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Splits `Power Supply PS1 Status` into the sensor type and the SDR name. Longest names first so that
 * `Power Supply` wins over a shorter prefix; a name must end at a word boundary.
 */
const SENSOR_TYPE_PREFIX_RE = new RegExp(
  `^(${[...new Set(PRINTED_NAMES)]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|')})(?:\\s+(.*))?$`,
  'i',
);

/** `{ typeName, rest }` of an elist sensor column; no `typeName` when no known type name leads it. */
export function splitSensorColumn(column: string): { typeName?: string; rest: string } {
  const m = SENSOR_TYPE_PREFIX_RE.exec(column);
  if (m === null) return { rest: column };
  return { typeName: m[1]!, rest: (m[2] ?? '').trim() };
}

/** Sensor type by code, undefined for reserved and OEM codes. */
export function sensorTypeByCode(code: number): SensorTypeInfo | undefined {
  return SENSOR_TYPES.get(code);
}

/** Sensor type by any tool's or Redfish's spelling of its name. */
export function sensorTypeByName(name: string): SensorTypeInfo | undefined {
  return SENSOR_TYPE_BY_NAME.get(normalizeKey(name));
}

type Row = [offset: number, desc: string, cls: FaultClass, sev: SeverityCode, extra?: Partial<OffsetInfo>];

const I: FaultClass = 'informational';
const F: FaultClass = 'failure';
const P: FaultClass = 'predictive';
const C: FaultClass = 'correctable';
const U: FaultClass = 'uncorrectable';
const R: FaultClass = 'recovered';

const ABSENT = { deasserted: { faultClass: I, severity: 4 as SeverityCode } };

/** Generic event/reading types 0x01–0x0C (table 42-2), keyed by event type. */
const GENERIC_ROWS: Record<number, Row[]> = {
  [EVENT_TYPE_THRESHOLD]: [
    [0x00, 'Lower Non-critical going low', P, 4, { aliases: ['Lo Noncrit thresh'] }],
    [0x01, 'Lower Non-critical going high', R, 5, { deasserted: { faultClass: P, severity: 4 } }],
    [0x02, 'Lower Critical going low', F, 2, { aliases: ['Lo Crit thresh'] }],
    [0x03, 'Lower Critical going high', R, 5, { deasserted: { faultClass: F, severity: 2 } }],
    [0x04, 'Lower Non-recoverable going low', F, 1, { aliases: ['Lo Unrec thresh'] }],
    [0x05, 'Lower Non-recoverable going high', R, 5, { deasserted: { faultClass: F, severity: 1 } }],
    [0x06, 'Upper Non-critical going low', R, 5, { deasserted: { faultClass: P, severity: 4 } }],
    [0x07, 'Upper Non-critical going high', P, 4, { aliases: ['Hi Noncrit thresh'] }],
    [0x08, 'Upper Critical going low', R, 5, { deasserted: { faultClass: F, severity: 2 } }],
    [0x09, 'Upper Critical going high', F, 2, { aliases: ['Hi Crit thresh'] }],
    [0x0a, 'Upper Non-recoverable going low', R, 5, { deasserted: { faultClass: F, severity: 1 } }],
    [0x0b, 'Upper Non-recoverable going high', F, 1, { aliases: ['Hi Unrec thresh'] }],
  ],
  2: [
    [0x00, 'Transition to Idle', I, 6],
    [0x01, 'Transition to Active', I, 6],
    [0x02, 'Transition to Busy', I, 6],
  ],
  3: [
    [0x00, 'State Deasserted', I, 6],
    [0x01, 'State Asserted', F, 3],
  ],
  4: [
    [0x00, 'Predictive Failure Deasserted', R, 5],
    [0x01, 'Predictive Failure Asserted', P, 4],
  ],
  5: [
    [0x00, 'Limit Not Exceeded', R, 5],
    [0x01, 'Limit Exceeded', F, 3],
  ],
  6: [
    [0x00, 'Performance Met', R, 5],
    [0x01, 'Performance Lags', P, 4],
  ],
  7: [
    [0x00, 'Transition to OK', R, 5],
    [0x01, 'Transition to Non-critical from OK', P, 4],
    [0x02, 'Transition to Critical from less severe', F, 2],
    [0x03, 'Transition to Non-recoverable from less severe', F, 1],
    [0x04, 'Transition to Non-critical from more severe', P, 4],
    [0x05, 'Transition to Critical from Non-recoverable', F, 2],
    [0x06, 'Transition to Non-recoverable', F, 1],
    [0x07, 'Monitor', I, 6],
    [0x08, 'Informational', I, 6],
  ],
  8: [
    [
      0x00,
      'Device Absent',
      I,
      4,
      { aliases: ['Device Removed/Device Absent', 'Device Removed / Device Absent'] },
    ],
    [
      0x01,
      'Device Present',
      I,
      6,
      { aliases: ['Device Inserted/Device Present', 'Device Inserted / Device Present'] },
    ],
  ],
  9: [
    [0x00, 'Device Disabled', I, 4],
    [0x01, 'Device Enabled', I, 6],
  ],
  10: [
    [0x00, 'Transition to Running', I, 6],
    [0x01, 'Transition to In Test', I, 6],
    [0x02, 'Transition to Power Off', I, 6],
    [0x03, 'Transition to On Line', I, 6],
    [0x04, 'Transition to Off Line', I, 4],
    [0x05, 'Transition to Off Duty', I, 6],
    [0x06, 'Transition to Degraded', F, 4],
    [0x07, 'Transition to Power Save', I, 6],
    [0x08, 'Install Error', F, 3],
  ],
  11: [
    [
      0x00,
      'Fully Redundant',
      R,
      5,
      { aliases: ['Redundancy OK'], deasserted: { faultClass: F, severity: 4 } },
    ],
    [0x01, 'Redundancy Lost', F, 3],
    [0x02, 'Redundancy Degraded', F, 4],
    [
      0x03,
      'Non-Redundant: Sufficient from Redundant',
      F,
      4,
      { aliases: ['Not Redundant', 'Non-redundant:Sufficient Resources from Redundant'] },
    ],
    [
      0x04,
      'Non-Redundant: Sufficient from Insufficient',
      F,
      4,
      { aliases: ['Non-redundant:Sufficient Resources from Insufficient Resources'] },
    ],
    [
      0x05,
      'Non-Redundant: Insufficient Resources',
      F,
      2,
      { aliases: ['Non-redundant:Insufficient Resources'] },
    ],
    [0x06, 'Redundancy Degraded from Fully Redundant', F, 4],
    [0x07, 'Redundancy Degraded from Non-Redundant', F, 4],
  ],
  12: [
    [0x00, 'D0 Power State', I, 6],
    [0x01, 'D1 Power State', I, 6],
    [0x02, 'D2 Power State', I, 6],
    [0x03, 'D3 Power State', I, 6],
  ],
};

/** Sensor-specific offsets (event type 0x6F, table 42-3), keyed by sensor type. */
const SENSOR_SPECIFIC_ROWS: Record<number, Row[]> = {
  5: [
    [0x00, 'General Chassis intrusion', I, 4, { aliases: ['Chassis Intrusion'] }],
    [0x01, 'Drive Bay intrusion', I, 4],
    [0x02, 'I/O Card area intrusion', I, 4],
    [0x03, 'Processor area intrusion', I, 4],
    [
      0x04,
      'System unplugged from LAN',
      I,
      4,
      { hwType: 'network', aliases: ['LAN Leash Lost', 'LAN unplugged'] },
    ],
    [0x05, 'Unauthorized dock', I, 4],
    [0x06, 'FAN area intrusion', I, 4],
  ],
  6: [
    [0x00, 'Front Panel Lockout violation attempted', I, 4],
    [0x01, 'Pre-boot password violation - user password', I, 4],
    [0x02, 'Pre-boot password violation - setup password', I, 4],
    [0x03, 'Pre-boot password violation - network boot password', I, 4],
    [0x04, 'Other pre-boot password violation', I, 4],
    [0x05, 'Out-of-band access password violation', I, 4],
  ],
  7: [
    [0x00, 'IERR', F, 2],
    [0x01, 'Thermal Trip', F, 1],
    [0x02, 'FRB1/BIST failure', F, 2],
    [0x03, 'FRB2/Hang in POST failure', F, 2, { aliases: ['FRB2 timeout'] }],
    [0x04, 'FRB3/Processor startup/init failure', F, 2, { aliases: ['FRB3 Proc error'] }],
    [0x05, 'Configuration Error', F, 3],
    [0x06, 'SM BIOS Uncorrectable CPU-complex Error', U, 2, { aliases: ['SMBIOS CPU error'] }],
    [0x07, 'Presence detected', I, 6, ABSENT],
    [0x08, 'Disabled', F, 3],
    [0x09, 'Terminator presence detected', I, 6],
    [0x0a, 'Throttled', P, 4, { aliases: ['Processor Automatically Throttled'] }],
    [
      0x0b,
      'Uncorrectable machine check exception',
      U,
      2,
      { aliases: ['Machine Check Exception (Uncorrectable)'] },
    ],
    [0x0c, 'Correctable machine check error', C, 4],
  ],
  8: [
    [0x00, 'Presence detected', I, 6, { ...ABSENT, aliases: ['Inserted'] }],
    [0x01, 'Failure detected', F, 2, { aliases: ['Power Supply Failure detected'] }],
    [0x02, 'Predictive failure', P, 4],
    [0x03, 'Power Supply AC lost', F, 3, { aliases: ['Power Supply input lost (AC/DC)', 'AC Lost'] }],
    [0x04, 'AC lost or out-of-range', F, 3, { aliases: ['Power Supply input lost or out-of-range'] }],
    [
      0x05,
      'AC out-of-range, but present',
      P,
      4,
      { aliases: ['Power Supply input out-of-range, but present'] },
    ],
    [0x06, 'Config Error', F, 3, { aliases: ['Configuration error'] }],
    [0x07, 'Power Supply Inactive', I, 5, { aliases: ['Power Supply Inactive (in standby state)'] }],
  ],
  9: [
    [0x00, 'Power off/down', I, 5, { aliases: ['Power Off/Power Down', 'Power Off'] }],
    [0x01, 'Power cycle', I, 5],
    [0x02, '240VA power down', F, 2],
    [0x03, 'Interlock power down', F, 3],
    [0x04, 'AC lost', F, 3, { aliases: ['AC lost / Power Input Lost', 'Power input lost'] }],
    [0x05, 'Soft-power control failure', F, 3],
    [0x06, 'Failure detected', F, 2, { aliases: ['Power Unit Failure detected'] }],
    [0x07, 'Predictive failure', P, 4],
  ],
  12: [
    [0x00, 'Correctable ECC', C, 4, { aliases: ['Correctable ECC memory error'] }],
    [0x01, 'Uncorrectable ECC', U, 2, { aliases: ['Uncorrectable ECC memory error'] }],
    [0x02, 'Parity', U, 2, { aliases: ['Memory Parity Error'] }],
    [0x03, 'Memory Scrub Failed', F, 3, { aliases: ['Memory Scrub Failed (stuck bit)'] }],
    [0x04, 'Memory Device Disabled', F, 3],
    [
      0x05,
      'Correctable ECC logging limit reached',
      P,
      4,
      { aliases: ['Correctable ECC memory error logging limit reached'] },
    ],
    [0x06, 'Presence Detected', I, 6, ABSENT],
    [0x07, 'Configuration Error', F, 3],
    [0x08, 'Spare', I, 5],
    [0x09, 'Throttled', P, 4, { aliases: ['Memory Automatically Throttled'] }],
    [0x0a, 'Critical Overtemperature', F, 2, { hwType: 'memory' }],
  ],
  13: [
    [0x00, 'Drive Present', I, 6, { ...ABSENT, aliases: ['Drive Presence'] }],
    [0x01, 'Drive Fault', F, 2],
    [0x02, 'Predictive Failure', P, 4, { aliases: ['Drive predict fail'] }],
    [0x03, 'Hot Spare', I, 6],
    [0x04, 'Parity Check In Progress', I, 6, { aliases: ['Consistency Check / Parity Check in progress'] }],
    [0x05, 'In Critical Array', F, 3, { aliases: ['Drive not redundant'] }],
    [0x06, 'In Failed Array', F, 2],
    [0x07, 'Rebuild In Progress', I, 5, { aliases: ['Rebuild/Remap in progress'] }],
    [0x08, 'Rebuild Aborted', F, 3, { aliases: ['Rebuild/Remap Aborted'] }],
  ],
  15: [
    [0x00, 'System Firmware Error', F, 3, { aliases: ['System Firmware Error (POST Error)', 'POST Error'] }],
    [0x01, 'System Firmware Hang', F, 2],
    [0x02, 'System Firmware Progress', I, 6],
  ],
  16: [
    [0x00, 'Correctable memory error logging disabled', I, 4, { hwType: 'memory' }],
    [0x01, 'Event logging disabled', I, 4, { aliases: ["Event 'Type' Logging Disabled"] }],
    [0x02, 'Log area reset/cleared', I, 5, { aliases: ['Log Cleared', 'Log Area Reset/Cleared'] }],
    [0x03, 'All event logging disabled', I, 4],
    [0x04, 'Log full', I, 4, { aliases: ['SEL Full'] }],
    [0x05, 'Log almost full', I, 4, { aliases: ['SEL Almost Full'] }],
    [0x06, 'Correctable machine check error logging disabled', I, 4, { hwType: 'cpu' }],
  ],
  17: [
    [0x00, 'BIOS Reset', F, 3, { aliases: ['BIOS Watchdog Reset'] }],
    [0x01, 'OS Reset', F, 3, { aliases: ['OS Watchdog Reset'] }],
    [0x02, 'OS Shut Down', F, 3],
    [0x03, 'OS Power Down', F, 3],
    [0x04, 'OS Power Cycle', F, 3],
    [0x05, 'OS NMI/Diag Interrupt', F, 3],
    [0x06, 'OS Expired', F, 3],
    [0x07, 'OS pre-timeout Interrupt', I, 4],
  ],
  18: [
    [0x00, 'System Reconfigured', I, 5],
    [0x01, 'OEM System boot event', I, 6, { aliases: ['OEM System Booted', 'OEM System Boot'] }],
    [0x02, 'Undetermined system hardware failure', F, 2, { aliases: ['System HW failure'] }],
    [0x03, 'Entry added to auxiliary log', I, 5],
    [0x04, 'PEF Action', I, 5],
    [
      0x05,
      'Timestamp Clock Sync',
      I,
      6,
      { aliases: ['Boot: ClockSync_1', 'Boot: ClockSync_2', 'Timestamp Clock Synch'] },
    ],
  ],
  19: [
    [0x00, 'NMI/Diag Interrupt', F, 3, { aliases: ['Front Panel NMI/Diagnostic Interrupt', 'FP NMI'] }],
    [0x01, 'Bus Timeout', F, 3, { hwType: 'pcie' }],
    [0x02, 'I/O Channel check NMI', U, 2, { hwType: 'pcie' }],
    [0x03, 'Software NMI', I, 4],
    [0x04, 'PCI PERR', U, 2, { hwType: 'pcie' }],
    [0x05, 'PCI SERR', U, 2, { hwType: 'pcie' }],
    [0x06, 'EISA failsafe timeout', F, 3, { hwType: 'pcie' }],
    [0x07, 'Bus Correctable error', C, 4, { hwType: 'pcie', aliases: ['Bus Correctable Error'] }],
    [0x08, 'Bus Uncorrectable error', U, 2, { hwType: 'pcie' }],
    [0x09, 'Fatal NMI', U, 1],
    [0x0a, 'Bus Fatal Error', U, 1, { hwType: 'pcie' }],
    [0x0b, 'Bus Degraded', P, 4, { hwType: 'pcie' }],
  ],
  20: [
    [0x00, 'Power Button pressed', I, 5],
    [0x01, 'Sleep Button pressed', I, 5],
    [0x02, 'Reset Button pressed', I, 5],
    [0x03, 'FRU Latch', I, 5, { aliases: ['FRU latch open'] }],
    [0x04, 'FRU Service', I, 5, { aliases: ['FRU service request button'] }],
  ],
  25: [
    [0x00, 'Soft Power Control Failure', F, 3],
    [0x01, 'Thermal Trip', F, 1],
  ],
  27: [
    [0x00, 'Connected', I, 6, { aliases: ['Cable/Interconnect is connected'] }],
    [
      0x01,
      'Config Error',
      F,
      3,
      { aliases: ['Configuration Error - Incorrect cable connected / Incorrect interconnection'] },
    ],
  ],
  29: [
    [0x00, 'Initiated by power up', I, 5],
    [0x01, 'Initiated by hard reset', I, 5],
    [0x02, 'Initiated by warm reset', I, 5],
    [0x03, 'User requested PXE boot', I, 5],
    [0x04, 'Automatic boot to diagnostic', I, 5],
    [0x05, 'OS initiated hard reset', I, 5],
    [0x06, 'OS initiated warm reset', I, 5],
    [0x07, 'System Restart', I, 5],
  ],
  30: [
    [0x00, 'No bootable media', F, 3],
    [0x01, 'Non-bootable disk in drive', F, 3],
    [0x02, 'PXE server not found', F, 3],
    [0x03, 'Invalid boot sector', F, 3],
    [0x04, 'Timeout waiting for selection', I, 4],
  ],
  31: [
    [0x00, 'A: boot completed', I, 6],
    [0x01, 'C: boot completed', I, 6],
    [0x02, 'PXE boot completed', I, 6],
    [0x03, 'Diagnostic boot completed', I, 6],
    [0x04, 'CD-ROM boot completed', I, 6],
    [0x05, 'ROM boot completed', I, 6],
    [0x06, 'boot completed - device not specified', I, 6],
    [0x07, 'Installation started', I, 6],
    [0x08, 'Installation completed', I, 6],
    [0x09, 'Installation aborted', I, 4],
    [0x0a, 'Installation failed', F, 3],
  ],
  32: [
    [
      0x00,
      'Error during system startup',
      F,
      2,
      { aliases: ['Critical stop during OS load / initialization'] },
    ],
    [0x01, 'Run-time critical stop', F, 2, { aliases: ['Run-time Critical Stop', 'OS Kernel Panic'] }],
    [0x02, 'OS graceful stop', I, 5],
    [0x03, 'OS graceful shutdown', I, 5],
    [0x04, 'PEF initiated soft shutdown', I, 5, { aliases: ['Soft Shutdown initiated by PEF'] }],
    [0x05, 'Agent not responding', F, 3],
  ],
  33: [
    [0x00, 'Fault Status', F, 3, { aliases: ['Fault Status asserted'] }],
    [0x01, 'Identify Status', I, 6],
    [0x02, 'Device Installed', I, 6, { aliases: ['Slot/Connector Device installed/attached'] }],
    [0x03, 'Ready for Device Installation', I, 6],
    [0x04, 'Ready for Device Removal', I, 6],
    [0x05, 'Slot Power is Off', I, 5],
    [0x06, 'Device Removal Request', I, 5],
    [0x07, 'Interlock', I, 5],
    [0x08, 'Slot is Disabled', I, 4],
    [0x09, 'Spare Device', I, 6],
  ],
  34: [
    [0x00, 'S0/G0: working', I, 6, { aliases: ['S0/G0 Working'] }],
    [0x01, 'S1: sleeping with system hw & processor context maintained', I, 6],
    [0x02, 'S2: sleeping, processor context lost', I, 6],
    [0x03, 'S3: sleeping, processor & hw context lost, memory retained', I, 6],
    [0x04, 'S4: non-volatile sleep/suspend-to-disk', I, 6],
    [0x05, 'S5/G2: soft-off', I, 6, { aliases: ['S5/G2 soft-off'] }],
    [0x06, 'S4/S5: soft-off', I, 6, { aliases: ['S4/S5 soft-off, no specific state'] }],
    [0x07, 'G3: mechanical off', I, 6, { aliases: ['G3/Mechanical off'] }],
    [0x08, 'Sleeping in S1/S2/S3 state', I, 6],
    [0x09, 'G1: sleeping', I, 6],
    [0x0a, 'S5: entered by override', I, 6],
    [0x0b, 'Legacy ON state', I, 6],
    [0x0c, 'Legacy OFF state', I, 6],
    [0x0e, 'Unknown', I, 6],
  ],
  35: [
    [0x00, 'Timer expired', F, 3, { aliases: ['Timer expired, status only (no action, no interrupt)'] }],
    [0x01, 'Hard reset', F, 3],
    [0x02, 'Power down', F, 3],
    [0x03, 'Power cycle', F, 3],
    [0x08, 'Timer interrupt', I, 4],
  ],
  36: [
    [0x00, 'Platform generated page', I, 5],
    [0x01, 'Platform generated LAN alert', I, 5],
    [0x02, 'Platform Event Trap generated', I, 5],
    [0x03, 'Platform generated SNMP trap, OEM format', I, 5],
  ],
  37: [
    [0x00, 'Present', I, 6, { aliases: ['Entity Present'] }],
    [0x01, 'Absent', I, 4, { aliases: ['Entity Absent'] }],
    [0x02, 'Disabled', I, 4, { aliases: ['Entity Disabled'] }],
  ],
  39: [
    [0x00, 'Heartbeat Lost', F, 3, { aliases: ['LAN Heartbeat Lost'] }],
    [0x01, 'Heartbeat', I, 6, { aliases: ['LAN Heartbeat'] }],
  ],
  40: [
    [0x00, 'Sensor access degraded or unavailable', F, 4],
    [0x01, 'Controller access degraded or unavailable', F, 4],
    [0x02, 'Management controller off-line', F, 3],
    [0x03, 'Management controller unavailable', F, 3],
    [0x04, 'Sensor failure', F, 4],
    [0x05, 'FRU failure', F, 3],
  ],
  41: [
    [0x00, 'Low', P, 4, { aliases: ['Battery low (predictive failure)'] }],
    [0x01, 'Failed', F, 3, { aliases: ['Battery failed'] }],
    [0x02, 'Presence Detected', I, 6, { ...ABSENT, aliases: ['Battery presence detected', 'Present'] }],
  ],
  42: [
    [0x00, 'Session Activated', I, 6, { aliases: ['Activated'] }],
    [0x01, 'Session Deactivated', I, 6, { aliases: ['Deactivated'] }],
    [0x02, 'Invalid Username or Password', I, 4],
    [0x03, 'Invalid password disable', I, 4],
  ],
  43: [
    [0x00, 'Hardware change detected', I, 5],
    [0x01, 'Firmware or software change detected', I, 5],
    [0x02, 'Hardware incompatibility detected', F, 3],
    [0x03, 'Firmware or software incompatibility detected', F, 3],
    [0x04, 'Invalid or unsupported hardware version', F, 3],
    [0x05, 'Invalid or unsupported firmware or software version', F, 3],
    [0x06, 'Hardware change success', I, 5],
    [0x07, 'Firmware or software change success', I, 5],
  ],
  44: [
    [0x00, 'Not Installed', I, 4],
    [0x01, 'Inactive', I, 5],
    [0x02, 'Activation Requested', I, 6],
    [0x03, 'Activation in Progress', I, 6],
    [0x04, 'Active', I, 6],
    [0x05, 'Deactivation Requested', I, 5],
    [0x06, 'Deactivation in Progress', I, 5],
    [0x07, 'Communication lost', F, 3],
  ],
};

/**
 * System Firmware (0x0F) prints a data-2 sub-code instead of the offset name; ipmitool prints the
 * same words for a hang (offset 1) and for progress (offset 2), so text alone resolves to progress.
 */
const FIRMWARE_ERROR_CODES = [
  'Unspecified',
  'No system memory installed',
  'No usable system memory',
  'Unrecoverable IDE device failure',
  'Unrecoverable system-board failure',
  'Unrecoverable diskette failure',
  'Unrecoverable hard-disk controller failure',
  'Unrecoverable PS/2 or USB keyboard failure',
  'Removable boot media not found',
  'Unrecoverable video controller failure',
  'No video device selected',
  'BIOS corruption detected',
  'CPU voltage mismatch',
  'CPU speed mismatch failure',
  'Unknown Error',
];
const FIRMWARE_PROGRESS_CODES = [
  'Memory initialization',
  'Hard-disk initialization',
  'Secondary CPU Initialization',
  'User authentication',
  'User-initiated system setup',
  'USB resource configuration',
  'PCI resource configuration',
  'Option ROM initialization',
  'Video initialization',
  'Cache initialization',
  'SMBus initialization',
  'Keyboard controller initialization',
  'Management controller initialization',
  'Docking station attachment',
  'Enabling docking station',
  'Docking station ejection',
  'Disabling docking station',
  'Calling operating system wake-up vector',
  'System boot initiated',
  'Motherboard initialization',
  'Floppy initialization',
  'Keyboard test',
  'Pointing device test',
  'Primary CPU initialization',
  'Unknown Progress',
];

function toInfo([offset, desc, faultClass, severity, extra]: Row): OffsetInfo {
  return { offset, desc, faultClass, severity, ...extra };
}

function buildTable(rows: Record<number, Row[]>): Map<number, OffsetInfo[]> {
  const out = new Map<number, OffsetInfo[]>();
  for (const [key, list] of Object.entries(rows)) out.set(Number(key), list.map(toInfo));
  return out;
}

const GENERIC = buildTable(GENERIC_ROWS);
const SENSOR_SPECIFIC = buildTable(SENSOR_SPECIFIC_ROWS);
{
  const fw = SENSOR_SPECIFIC.get(0x0f)!;
  const error = fw[0]!;
  const progress = fw[2]!;
  fw.push({ ...error, aliases: FIRMWARE_ERROR_CODES.filter((d) => d !== 'Unspecified') });
  fw.push({ ...progress, aliases: FIRMWARE_PROGRESS_CODES, desc: progress.desc });
}

interface Indexed {
  eventType: number;
  info: OffsetInfo;
}

/** Exact lookups by normalized wording, built once. */
const SPECIFIC_BY_TEXT = new Map<string, Indexed>();
const GENERIC_BY_TEXT = new Map<string, Indexed>();
/** Per sensor type, every wording longest first, for "description contains a known wording" matches. */
const SPECIFIC_CONTAINS = new Map<number, [string, Indexed][]>();
const GENERIC_CONTAINS: [string, Indexed][] = [];

for (const [sensorType, list] of SENSOR_SPECIFIC) {
  const contains: [string, Indexed][] = [];
  for (const info of list) {
    const entry = { eventType: EVENT_TYPE_SENSOR_SPECIFIC, info };
    for (const text of [info.desc, ...(info.aliases ?? [])]) {
      const key = normalizeKey(text);
      const mapKey = `${sensorType}:${key}`;
      if (!SPECIFIC_BY_TEXT.has(mapKey)) SPECIFIC_BY_TEXT.set(mapKey, entry);
      if (key.length >= 4) contains.push([key, entry]);
    }
  }
  contains.sort((a, b) => b[0].length - a[0].length);
  SPECIFIC_CONTAINS.set(sensorType, contains);
}
for (const [eventType, list] of GENERIC) {
  for (const info of list) {
    const entry = { eventType, info };
    for (const text of [info.desc, ...(info.aliases ?? [])]) {
      const key = normalizeKey(text);
      if (!GENERIC_BY_TEXT.has(key)) GENERIC_BY_TEXT.set(key, entry);
      if (key.length >= 10) GENERIC_CONTAINS.push([key, entry]);
    }
  }
}
GENERIC_CONTAINS.sort((a, b) => b[0].length - a[0].length);

/** Offset meaning for a known event type and offset (verbose `sel get`, raw event data, Redfish MessageId). */
export function lookupOffset(
  sensorType: number | undefined,
  eventType: number,
  offset: number,
): OffsetInfo | undefined {
  const list =
    eventType === EVENT_TYPE_SENSOR_SPECIFIC ? SENSOR_SPECIFIC.get(sensorType ?? -1) : GENERIC.get(eventType);
  return list?.find((o) => o.offset === offset);
}

/**
 * Finds the event state a tool printed: exact wording first (sensor-specific, then generic, with
 * threshold wordings tolerant of FreeIPMI's and Redfish's "Upper Critical - going high"), then the
 * longest known wording the text contains ("Power Supply Failure detected" → Failure detected).
 */
export function matchDescription(
  sensorType: number | undefined,
  text: string,
): { eventType: number; info: OffsetInfo } | undefined {
  const key = normalizeKey(text);
  if (key === '') return undefined;
  if (sensorType !== undefined) {
    const hit = SPECIFIC_BY_TEXT.get(`${sensorType}:${key}`);
    if (hit !== undefined) return hit;
  }
  const generic = GENERIC_BY_TEXT.get(key);
  if (generic !== undefined) return generic;
  if (sensorType !== undefined) {
    for (const [k, entry] of SPECIFIC_CONTAINS.get(sensorType) ?? []) if (key.includes(k)) return entry;
  }
  for (const [k, entry] of GENERIC_CONTAINS) if (key.includes(k)) return entry;
  return undefined;
}

/** IPMI event direction bit: the state became true (asserted) or stopped being true (deasserted). */
export type EventDirection = 'asserted' | 'deasserted';

/** What `interpret` makes of a SEL state. */
export interface SelMeaning {
  hwType: HwType;
  faultClass: FaultClass;
  severity: SeverityCode;
  /** `0xTT/0xOO` for sensor-specific states, `0xTT/0xEE/0xOO` for threshold and generic ones. */
  code?: string;
}

/** `0x0c`: how codes are spelled in `event.code` and `bmc.sel.*`. */
export function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

const FAULTS: ReadonlySet<FaultClass> = new Set<FaultClass>([
  'failure',
  'uncorrectable',
  'predictive',
  'correctable',
]);

/** What Faultline makes of one SEL state: the part, the fault class, the syslog severity, the code. */
export function interpret(
  sensorType: number | undefined,
  eventType: number | undefined,
  info: OffsetInfo | undefined,
  direction: EventDirection,
): SelMeaning {
  const typeHw = sensorType === undefined ? 'unknown' : (sensorTypeByCode(sensorType)?.hwType ?? 'unknown');
  if (info === undefined) {
    return {
      hwType: typeHw,
      faultClass: 'informational',
      severity: 5,
      ...(sensorType !== undefined ? { code: hex2(sensorType) } : {}),
    };
  }
  let faultClass = info.faultClass;
  let severity = info.severity;
  if (direction === 'deasserted') {
    if (info.deasserted !== undefined) {
      faultClass = info.deasserted.faultClass;
      severity = info.deasserted.severity;
    } else if (FAULTS.has(faultClass)) {
      faultClass = 'recovered';
      severity = 5;
    }
  }
  const st = sensorType === undefined ? '0x??' : hex2(sensorType);
  const code =
    eventType === EVENT_TYPE_SENSOR_SPECIFIC || eventType === undefined
      ? `${st}/${hex2(info.offset)}`
      : `${st}/${hex2(eventType)}/${hex2(info.offset)}`;
  return { hwType: info.hwType ?? typeHw, faultClass, severity, code };
}

/** Words that make an otherwise unknown state a fault, for OEM wordings no table knows. */
const KEYWORD_CLASSES: readonly [RegExp, FaultClass, SeverityCode][] = [
  [/\buncorrectable\b|\bfatal\b|\bpoison/i, 'uncorrectable', 2],
  // Intel BIOS "PCIe Warn Bad TLP": AER correctable errors reported through an OEM event type.
  [/\bcorrectable\b|PCIe Warn\b|\bAER\b/i, 'correctable', 4],
  [/predict/i, 'predictive', 4],
  [/fail|fault|\berror\b|\blost\b|critical|non-recoverable|panic|\btrip\b|\bFRB\d\b/i, 'failure', 3],
  // OEM warnings a BMC raises before a part fails (OpenBMC VR_HOT, PMIC over-current, under-voltage).
  [
    /\bwarning\b|\bhot\b|prochot|\b[OU]V\b|over.?(?:current|voltage|temp)|under.?voltage|throttl/i,
    'predictive',
    4,
  ],
];

/** Fault class from words alone, for states no table names; undefined when no word says fault. */
export function classifyByKeywords(
  text: string,
): { faultClass: FaultClass; severity: SeverityCode } | undefined {
  for (const [re, faultClass, severity] of KEYWORD_CLASSES)
    if (re.test(text)) return { faultClass, severity };
  return undefined;
}
