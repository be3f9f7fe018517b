/**
 * Generates `src/sources/bmc/redfish/registry-table.ts` from the DMTF message registries under
 * `test/fixtures/redfish/registries` plus the
 * hardware messages of the OpenBMC registry transcribed below. Run once when registries change:
 *
 *   npx tsx scripts/gen-redfish-registry.ts
 *
 * The runtime never reads the registries: a BMC event must decode the same on a host without the
 * fixtures. Per message the table keeps what a decoder needs (template, severity, argument count)
 * and what Faultline derives once here (hw.type, hw.fault.class, which arguments name the part).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = resolve(repoRoot, 'test', 'fixtures');
const registryDir = resolve(fixtures, 'redfish', 'registries');
const outFile = resolve(repoRoot, 'src', 'sources', 'bmc', 'redfish', 'registry-table.ts');

interface Message {
  Message: string;
  Severity?: string;
  MessageSeverity?: string;
  NumberOfArgs?: number;
}

/*
 * OpenBMC registry 0.6.0 (openbmc/bmcweb redfish-core/include/registries/openbmc.json, Apache-2.0):
 * the messages about hardware. Intel ME, security-policy and audit messages are left out; an id not in
 * the table still decodes, from its words.
 */
const OPENBMC: [key: string, severity: string, args: number, message: string][] = [
  ['ADDDCCorrectable', 'Warning', 4, 'ADDDC Correctable Error.Socket=%1 Channel=%2 DIMM=%3 Rank=%4.'],
  ['BIOSPOSTError', 'Warning', 1, 'BIOS POST Error. Error Code=%1'],
  ['BMCBootReason', 'OK', 2, 'BMC firmware version %1 booted due to %2.'],
  ['BMCKernelPanic', 'OK', 0, 'BMC rebooted due to kernel panic.'],
  ['CPUError', 'Critical', 1, 'CPU Error Occurred: %1.'],
  ['CPUMismatch', 'Critical', 1, 'CPU %1 Mismatch.'],
  ['CPUThermalTrip', 'Critical', 1, 'CPU %1 Thermal Trip.'],
  ['ChassisIntrusionDetected', 'Warning', 0, 'Chassis Intrusion Detected.'],
  ['ChassisIntrusionReset', 'OK', 0, 'Chassis Intrusion Reset.'],
  ['ComponentOverTemperature', 'Critical', 1, '%1 over temperature and being throttled.'],
  ['DCPowerOff', 'OK', 0, 'Host system DC power is off'],
  ['DCPowerOn', 'OK', 0, 'Host system DC power is on'],
  ['DriveError', 'Warning', 1, 'Drive Error Occurred: %1.'],
  ['EventLogCleared', 'OK', 0, 'Event Log Cleared.'],
  ['FanInserted', 'OK', 1, '%1 inserted.'],
  ['FanRedundancyLost', 'Warning', 0, 'Fan redundancy lost.'],
  ['FanRedundancyRegained', 'OK', 0, 'Fan redundancy regained.'],
  ['FanRemoved', 'OK', 1, '%1 removed.'],
  ['FirmwareUpdateCompleted', 'OK', 2, '%1 firmware update to version %2 completed successfully.'],
  ['FirmwareUpdateFailed', 'Warning', 3, '%1 firmware update to version %2 failed: %3.'],
  ['FirmwareUpdateStarted', 'OK', 2, '%1 firmware update to version %2 started.'],
  ['IPMIWatchdog', 'OK', 1, 'Host Watchdog Event: %1'],
  ['IntelUPILinkWidthReducedToHalf', 'Warning', 1, 'Intel UPI link width reduced to half. Node=%1.'],
  ['IntelUPILinkWidthReducedToQuarter', 'Warning', 1, 'Intel UPI link width reduced to quarter. Node=%1.'],
  ['InventoryAdded', 'OK', 3, '%1 %2 with serial number %3 was installed.'],
  ['InventoryRemoved', 'OK', 3, '%1 %2 with serial number %3 was removed.'],
  ['LanLost', 'Warning', 1, '%1 LAN leash lost.'],
  ['LanRegained', 'OK', 1, '%1 LAN leash regained.'],
  ['LegacyPCIPERR', 'Warning', 3, 'Legacy PCI PERR. Bus=%1 Device=%2 Function=%3.'],
  ['LegacyPCISERR', 'Critical', 3, 'Legacy PCI SERR. Bus=%1 Device=%2 Function=%3.'],
  [
    'MemoryECCCorrectable',
    'Warning',
    4,
    'Memory ECC correctable error. Socket=%1 Channel=%2 DIMM=%3 Rank=%4.',
  ],
  [
    'MemoryECCUncorrectable',
    'Critical',
    4,
    'Memory ECC uncorrectable error. Socket=%1 Channel=%2 DIMM=%3 Rank=%4.',
  ],
  [
    'MemoryParityCommandAndAddress',
    'Critical',
    5,
    'Command and Address parity error. Socket=%1 Channel=%2 DIMM=%3 ChannelValid=%4 DIMMValid=%5.',
  ],
  [
    'MemoryParityNotKnown',
    'Critical',
    5,
    'Memory parity error. Socket=%1 Channel=%2 DIMM=%3 ChannelValid=%4 DIMMValid=%5.',
  ],
  ['MemoryThermTrip', 'Critical', 1, 'Memory ThermTrip asserted: %1.'],
  [
    'MirroringRedundancyDegraded',
    'Warning',
    5,
    'Mirroring redundancy state degraded. Socket=%1 Channel=%2 DIMM=%3 Pair=%4 Rank=%5.',
  ],
  [
    'MirroringRedundancyFull',
    'OK',
    5,
    'Mirroring redundancy state fully redundant. Socket=%1 Channel=%2 DIMM=%3 Pair=%4 Rank=%5.',
  ],
  ['NMIButtonPressed', 'Critical', 0, 'NMI Button Pressed.'],
  ['NMIDiagnosticInterrupt', 'Critical', 0, 'NMI Diagnostic Interrupt.'],
  [
    'PCIeCorrectableAdvisoryNonFatal',
    'Warning',
    3,
    'PCIe Correctable Advisory Non-fatal Error. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeCorrectableBadDLLP', 'Warning', 3, 'PCIe Correctable Bad DLLP. Bus=%1 Device=%2 Function=%3.'],
  ['PCIeCorrectableBadTLP', 'Warning', 3, 'PCIe Correctable Bad TLP. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeCorrectableHeaderLogOverflow',
    'Warning',
    3,
    'PCIe Correctable Header Log Overflow. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeCorrectableInternal', 'Warning', 3, 'PCIe Correctable Internal Error. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeCorrectableLinkBWChanged',
    'Warning',
    3,
    'PCIe Correctable Link BW Changed. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeCorrectableReceiverError',
    'Warning',
    3,
    'PCIe Correctable Receiver Error. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeCorrectableReplayNumRollover',
    'Warning',
    3,
    'PCIe Correctable Replay Num Rollover. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeCorrectableReplayTimerTimeout',
    'Warning',
    3,
    'PCIe Correctable Replay Timer Timeout. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeCorrectableUnspecifiedAERError',
    'Warning',
    3,
    'PCIe Correctable Unspecified AER Error. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeFatalACSViolation', 'Critical', 3, 'PCIe Fatal ACS Violation. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeFatalAtomicEgressBlocked',
    'Critical',
    3,
    'PCIe Fatal Atomic Egress Blocked. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeFatalCompleterAbort', 'Critical', 3, 'PCIe Fatal Completer Abort. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeFatalCompletionTimeout',
    'Critical',
    3,
    'PCIe Fatal Completion Timeout. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalDataLinkLayerProtocol',
    'Critical',
    3,
    'PCIe Fatal Data Link Layer Protocol Error. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeFatalECRCError', 'Critical', 3, 'PCIe Fatal ECRC Error. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeFatalFlowControlProtocol',
    'Critical',
    3,
    'PCIe Fatal Flow Control Protocol Error. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PCIeFatalMCBlockedTLP', 'Critical', 3, 'PCIe Fatal MC Blocked TLP Error. Bus=%1 Device=%2 Function=%3.'],
  ['PCIeFatalMalformedTLP', 'Critical', 3, 'PCIe Fatal Malformed TLP Error. Bus=%1 Device=%2 Function=%3.'],
  ['PCIeFatalPoisonedTLP', 'Critical', 3, 'PCIe Fatal Poisoned TLP Error. Bus=%1 Device=%2 Function=%3.'],
  [
    'PCIeFatalReceivedErrNonFatalMessage',
    'Critical',
    3,
    'PCIe Fatal Received ERR_NONFATAL Message. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalReceivedFatalMessageFromDownstream',
    'Critical',
    3,
    'PCIe Fatal Received Fatal Message From Downstream. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalReceiverBufferOverflow',
    'Critical',
    3,
    'PCIe Fatal Receiver Buffer Overflow. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalSurpriseLinkDown',
    'Critical',
    3,
    'PCIe Fatal Surprise Link Down Error. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalTLPPrefixBlocked',
    'Critical',
    3,
    'PCIe Fatal TLP Prefix Blocked Error. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalUncorrectableInternal',
    'Critical',
    3,
    'PCIe Fatal Uncorrectable Internal Error. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalUnexpectedCompletion',
    'Critical',
    3,
    'PCIe Fatal Unexpected Completion. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalUnspecifiedNonAERFatalError',
    'Critical',
    3,
    'PCIe Fatal Unspecified Non-AER Fatal Error. Bus=%1 Device=%2 Function=%3.',
  ],
  [
    'PCIeFatalUnsupportedRequest',
    'Critical',
    3,
    'PCIe Fatal Unsupported Request. Bus=%1 Device=%2 Function=%3.',
  ],
  ['PowerButtonPressed', 'OK', 0, 'Power Button Pressed.'],
  ['PowerRestorePolicyApplied', 'OK', 0, 'Power restore policy applied.'],
  ['PowerSupplyConfigurationError', 'Warning', 1, 'Power supply %1 configuration error.'],
  ['PowerSupplyConfigurationErrorRecovered', 'OK', 1, 'Power supply %1 configuration error recovered.'],
  ['PowerSupplyFailed', 'Warning', 1, 'Power supply %1 failed.'],
  ['PowerSupplyFailurePredicted', 'Warning', 1, 'Power supply %1 failure predicted.'],
  ['PowerSupplyFanFailed', 'Warning', 2, 'Power supply %1 fan %2 failed.'],
  ['PowerSupplyFanRecovered', 'OK', 2, 'Power supply %1 fan %2 recovered.'],
  ['PowerSupplyInserted', 'OK', 1, 'Power supply %1 inserted.'],
  [
    'PowerSupplyPowerGoodFailed',
    'Critical',
    1,
    'Power supply power good failed to assert within %1 milliseconds.',
  ],
  ['PowerSupplyPowerLost', 'Warning', 1, 'Power supply %1 power lost.'],
  ['PowerSupplyPowerRestored', 'OK', 1, 'Power supply %1 power restored.'],
  ['PowerSupplyPredictedFailureRecovered', 'OK', 1, 'Power supply %1 predicted failure recovered.'],
  ['PowerSupplyRecovered', 'OK', 1, 'Power supply %1 recovered.'],
  ['PowerSupplyRemoved', 'Warning', 1, 'Power supply %1 removed.'],
  ['PowerUnitDegradedFromNonRedundant', 'Warning', 0, 'Power Unit degraded from nonredundant.'],
  ['PowerUnitDegradedFromRedundant', 'Warning', 0, 'Power Unit degraded from redundant.'],
  [
    'PowerUnitNonRedundantFromInsufficient',
    'Warning',
    0,
    'Power Unit NonRedundant from insufficient to sufficient.',
  ],
  [
    'PowerUnitNonRedundantInsufficient',
    'Critical',
    0,
    'Power Unit NonRedundant and has insufficient resource.',
  ],
  ['PowerUnitNonRedundantSufficient', 'Warning', 0, 'Power Unit Nonredundant but has sufficient resource.'],
  ['PowerUnitRedundancyDegraded', 'Warning', 0, 'Power Unit Redundancy degraded.'],
  ['PowerUnitRedundancyLost', 'Warning', 0, 'Power Unit Redundancy lost.'],
  ['PowerUnitRedundancyRegained', 'OK', 0, 'Power Unit Redundancy regained.'],
  ['ResetButtonPressed', 'OK', 0, 'Reset Button Pressed.'],
  ['SELEntryAdded', 'OK', 1, 'SEL Entry Added: %1'],
  [
    'SensorThresholdCriticalHighGoingHigh',
    'Critical',
    3,
    '%1 sensor crossed a critical high threshold going high. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdCriticalHighGoingLow',
    'OK',
    3,
    '%1 sensor crossed a critical high threshold going low. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdCriticalLowGoingHigh',
    'OK',
    3,
    '%1 sensor crossed a critical low threshold going high. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdCriticalLowGoingLow',
    'Critical',
    3,
    '%1 sensor crossed a critical low threshold going low. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdWarningHighGoingHigh',
    'Warning',
    3,
    '%1 sensor crossed a warning high threshold going high. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdWarningHighGoingLow',
    'OK',
    3,
    '%1 sensor crossed a warning high threshold going low. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdWarningLowGoingHigh',
    'OK',
    3,
    '%1 sensor crossed a warning low threshold going high. Reading=%2 Threshold=%3.',
  ],
  [
    'SensorThresholdWarningLowGoingLow',
    'Warning',
    3,
    '%1 sensor crossed a warning low threshold going low. Reading=%2 Threshold=%3.',
  ],
  [
    'SparingRedundancyDegraded',
    'Warning',
    5,
    'Sparing redundancy state degraded. Socket=%1 Channel=%2 DIMM=%3 Domain=%4 Rank=%5.',
  ],
  [
    'SparingRedundancyFull',
    'OK',
    5,
    'Sparing redundancy state fully redundant. Socket=%1 Channel=%2 DIMM=%3 Domain=%4 Rank=%5.',
  ],
  ['SsbThermalTrip', 'Critical', 0, 'SSB Thermal trip.'],
  [
    'SystemPowerGoodFailed',
    'Critical',
    1,
    'System power good failed to assert within %1 milliseconds (VR failure).',
  ],
  ['SystemPowerLost', 'Critical', 0, 'System Power Lost.'],
  ['SystemPowerOffFailed', 'Critical', 0, 'System Power-Off Failed.'],
  ['SystemPowerOnFailed', 'Critical', 0, 'System Power-On Failed.'],
  ['VoltageRegulatorOverheated', 'Critical', 1, '%1 Voltage Regulator Overheated.'],
];

// First match wins; the key alone decides, the registry prefix only breaks ties below.
const HW_RULES: [RegExp, string][] = [
  [/Memory|DIMM|ECC|ADDDC|Mirroring|Sparing/, 'memory'],
  [/PCIe|PCI[PS]ERR|LegacyPCI/, 'pcie'],
  [/VoltageRegulator/, 'voltage'],
  [/CPU|Processor|UPI/, 'cpu'],
  [
    /PowerSupply|PowerUnit|LineInput|LossOfInputPower|Breaker|Outlet|Circuit|PowerDistribution|SystemPowerGood/,
    'power_supply',
  ],
  [/^Voltage/, 'voltage'],
  [/^Current/, 'current'],
  [/^(?:Power|Frequency)(?:Above|Below|Warning|Critical|NoLonger|Normal)/, 'power_supply'],
  // "Temp" must not match "Temporarily" (WriteCacheTemporarilyDegraded).
  [/Temperature|Thermal|Therm|Overheat|Temp(?![a-z])/, 'temperature'],
  [/Fan/, 'fan'],
  [
    /Pump|Leak|Filter|Valve|Reservoir|Fluid|FlowRate|Pressure|Cool(?:ing|ant)|Humidity|DewPoint|Intrusion/,
    'enclosure',
  ],
  [/Drive|Media/, 'physical_disk'],
  [/Volume/, 'logical_disk'],
  [/Controller|WriteCache/, 'disk_controller'],
  [/Battery/, 'battery'],
  [/Cable|Connection|LinkFlap|LanLost|LanRegained/, 'network'],
  [/^BMC|Log|Redfish|SEL/, 'bmc'],
  [/BIOS|Firmware/, 'firmware'],
  [
    /OperatingSystem|PlatformReset|Watchdog|UnhandledException|NMI|DCPower|SystemPower|Button|PowerRestore|Platform|Device|NVRAM|SecurityBypass|PowerBrake|Powered(?:On|Off)/,
    'system',
  ],
];
const PREFIX_HW: Record<string, string> = {
  NetworkDevice: 'network',
  StorageDevice: 'physical_disk',
  LogService: 'bmc',
  HeartbeatEvent: 'bmc',
  Base: 'bmc',
};

function hwType(prefix: string, key: string): string {
  for (const [re, type] of HW_RULES) if (re.test(key)) return type;
  return PREFIX_HW[prefix] ?? 'unknown';
}

const FAILURE_WORDS_RE =
  /Fail|Fault|Error|Lost|Loss|Missing|Removed|Down|Trip|Critical$|Fatal$|Crash|Timeout|Offline|Offine|Exceeded|Mismatch|Disabled|Exception|Panic|Unresponsive|Flap|Low|Violation|Unable|Watchdog|Reduced|NonRedundant|Disconnected|Invalid|Incompatible|Over(?:heated|Temperature)|InRecovery|SpeedChange|WidthChange|Incorrect/;

/** hw.fault.class from the message key, with the registry severity to break ties. */
function faultClass(key: string, severity: string): string {
  if (/Uncorrectable|PCIeFatal|Poisoned|Parity|PCI[PS]ERR|ContainedError/.test(key)) return 'uncorrectable';
  if (/Correctable|ADDDC/.test(key)) return 'correctable';
  if (/Predict/.test(key)) return /Cleared|Recovered/.test(key) ? 'recovered' : 'predictive';
  if (/Going(?:Low|High)$/.test(key))
    return severity === 'OK' ? 'recovered' : severity === 'Warning' ? 'predictive' : 'failure';
  if (/ButtonPressed$/.test(key)) return 'informational';
  if (/Degraded/.test(key)) return 'failure';
  if (/(?:Above|Below)(?:Upper|Lower)Caution/.test(key)) return 'predictive';
  if (/(?:AboveUpper|BelowLower)(?:Critical|Fatal)/.test(key)) return 'failure';
  // "Now below the upper critical threshold but still out of range": better, not yet recovered.
  if (/BelowUpper|AboveLower|NoLonger(?:Critical|Fatal)$/.test(key))
    return severity === 'Critical' ? 'failure' : 'predictive';
  if (/(?:^|Event)LogCleared$/.test(key)) return 'informational';
  if (
    /(?:OK|Normal|NormalRange|Restored|Recovered|Regained|Cleared|Corrected|Full|Established|BreakerReset|IntrusionReset)$/.test(
      key,
    )
  ) {
    return 'recovered';
  }
  if (/Warning$|WarningThreshold|Caution|LifeLow|Charging|RequiresService|Pending/.test(key))
    return 'predictive';
  if (FAILURE_WORDS_RE.test(key)) return severity === 'OK' ? 'informational' : 'failure';
  return severity === 'Critical' ? 'failure' : 'informational';
}

/**
 * How the part is named from the message arguments: a template over %n. The OpenBMC memory messages
 * give socket, channel and slot, which become the canonical DIMM id `CPU<socket>_DIMM_<channel><slot>`.
 */
function idTemplate(message: string, args: number): string {
  if (args === 0) return '';
  if (/Socket=%1 Channel=%2 DIMM=%3/.test(message)) return 'CPU%1_DIMM_%2%3';
  if (/Bus=%1 Device=%2 Function=%3/.test(message)) return '%1:%2.%3';
  if (/^CPU %1\b/.test(message)) return 'CPU%1';
  if (/network adapter '%1' port '%2'/.test(message)) return '%1/%2';
  if (/Power supply %1 fan %2/.test(message)) return '%1';
  if (
    /'%1'|`%1`/.test(message) ||
    /^%1 /.test(message) ||
    /\b(?:Power supply|Sensor|sensor|Device) %1\b/.test(message)
  ) {
    return '%1';
  }
  if (/`%2`/.test(message)) return '%2';
  return '';
}

const rows: string[] = [];
const seen = new Set<string>();
function add(prefix: string, key: string, severity: string, args: number, message: string): void {
  const id = `${prefix}.${key}`;
  if (seen.has(id)) return;
  seen.add(id);
  if (message.includes('|')) throw new Error(`${id}: template contains the row separator '|'`);
  const row = [
    id,
    severity,
    args,
    hwType(prefix, key),
    faultClass(key, severity),
    idTemplate(message, args),
    message,
  ];
  rows.push(`  ${JSON.stringify(row.join('|'))},`);
}

const files = readdirSync(registryDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const sources: string[] = [];
for (const file of files) {
  const doc = JSON.parse(readFileSync(resolve(registryDir, file), 'utf8')) as {
    RegistryPrefix: string;
    RegistryVersion: string;
    Messages: Record<string, Message>;
  };
  sources.push(`${doc.RegistryPrefix} ${doc.RegistryVersion}`);
  for (const [key, msg] of Object.entries(doc.Messages)) {
    add(
      doc.RegistryPrefix,
      key,
      msg.MessageSeverity ?? msg.Severity ?? 'OK',
      msg.NumberOfArgs ?? 0,
      msg.Message,
    );
  }
}
sources.push('OpenBMC 0.6.0 (hardware subset)');
for (const [key, severity, args, message] of OPENBMC) add('OpenBMC', key, severity, args, message);

const out = `// Generated by scripts/gen-redfish-registry.ts from ${sources.join(', ')}. Do not edit.
// Registries: DMTF Redfish-Publications (BSD-3-Clause); OpenBMC bmcweb openbmc.json (Apache-2.0).
// One string per message (compact, and one line each in diffs):
//   Prefix.MessageKey|severity|number of args|hw.type|hw.fault.class|hw.id template|message template

/** Registry messages in the row format above; parsed once by registry.ts. */
export const REGISTRY_ROWS: readonly string[] = [
${rows.join('\n')}
];
`;
writeFileSync(outFile, out);
// The table is checked in; formatting it here keeps a regeneration a no-op diff under `biome check`.
execFileSync(resolve(repoRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', outFile], {
  stdio: 'ignore',
});
console.log(`wrote ${rows.length} messages from ${files.length} registries + OpenBMC to ${outFile}`);
