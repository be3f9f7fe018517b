import { createReadStream, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/analyze.js';
import { fixturePath } from '../helpers/fixtures.js';

/**
 * Acceptance (issue 17): `faultline analyze` over every file of test/fixtures/bmc/ipmi-sel, redfish
 * log entries and kernel gives the alerts a hardware engineer expects, one per fault, not one per
 * line. Each entry is `rule [part] ×records`, "(child)" when a root-cause alert explains it. The
 * empty Redfish logs and the rasdaemon label tables (reference data, no events) give nothing.
 * Records without a date (IPMI pre-init, raw mcelog) take the fixed receive time.
 */
const EXPECTED: Record<string, string[]> = {
  'bmc/ipmi-sel/ipmiutil_userguide/ipmiutil_sel_samples_from_UserGuide.txt': [
    'OsCriticalStop ×1',
    'TemperatureCritical Temperature_0x30 ×1',
    'TemperatureWarning Temperature_0x30 ×1 (child)',
    'PowerRedundancyLost Power_Unit_0x02 ×3',
    'PowerRedundancyLost Power_Unit_0x02 ×2',
    'TemperatureWarning Temperature_0x30 ×1 (child)',
    'TemperatureCritical Temperature_0x30 ×1',
    'PowerRedundancyLost Power_Unit_0x02 ×3',
    'SelLogCleared ×1',
    'OsCriticalStop ×1',
    'TemperatureWarning Temperature_0x30 ×1',
    'TemperatureWarning Temperature_0x30 ×1',
    'PowerInputLost ×1',
  ],
  'bmc/ipmi-sel/linuxfabrik/ipmitool_sel_elist_acpi-soft-off.txt': [
    'NodePoweredOff ×77',
    'NodePoweredOff ×3',
    'PowerSupplyFailure PS2 ×1 (child)',
    'PowerInputLost ×1',
    'PowerRedundancyLost Power_Supplies ×1 (child)',
    'PowerSupplyFailure PS1 ×1 (child)',
    'PowerInputLost ×1',
    'PowerRedundancyLost Power_Supplies ×1 (child)',
    'NodePoweredOff ×1',
  ],
  'bmc/ipmi-sel/linuxfabrik/ipmitool_sel_elist_chassis-intrusion.txt': [
    'ChassisIntrusion Chassis_Intru ×3',
    'ChassisIntrusion Chassis_Intru ×1',
    'PowerSupplyFailure PS1 ×1',
    'PowerSupplyFailure PS1 ×1',
    'ChassisIntrusion Chassis_Intru ×1',
  ],
  'redfish/log_entries/public-acd__Managers__BMC__LogServices__Log__Entries.json': ['TemperatureCritical ×1'],
  'redfish/log_entries/public-acd__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'redfish/log_entries/public-applications__Managers__BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-bladed__Managers__Blade1BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-bladed__Managers__Blade2BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-bladed__Managers__Blade3BMC__LogServices__Log__Entries.json': [
    'TemperatureWarning ×1',
  ],
  'redfish/log_entries/public-bladed__Managers__Blade4BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-bladed__Managers__MultiBladeBMC__LogServices__Log__Entries.json': [
    'FanFailure FAN2 ×1',
  ],
  'redfish/log_entries/public-catfish__Systems__1__LogServices__SEL__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'redfish/log_entries/public-composability__Managers__1__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-compose-action__Managers__1__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-constrained-composition__Managers__1__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-cooling-unit__Managers__CDU__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-cxl__Chassis__CXL-Chassis__LogServices__LocalLog1__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-expansion-box__Managers__1__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-iiot__Managers__AutomationManager__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-liquid-cooled-server__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-liquid-cooled-server__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureWarning CPU_1_Coolant ×1',
  ],
  'redfish/log_entries/public-localstorage__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-localstorage__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'redfish/log_entries/public-mpf__Managers__BMC__LogServices__Log__Entries.json': ['TemperatureCritical ×1'],
  'redfish/log_entries/public-mpf__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'redfish/log_entries/public-nvmeof-jbof__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-pdu__Managers__BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-power-shelf__Managers__BMC__LogServices__Log__Entries.json': [],
  'redfish/log_entries/public-rackmount1__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-rackmount1__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'redfish/log_entries/public-sasfabric__Managers__Switch1__LogServices__Log__Entries.json': [
    'SelLogCleared ×1',
  ],
  'redfish/log_entries/public-sasfabric__Managers__Switch2__LogServices__Log__Entries.json': [
    'SelLogCleared ×1',
  ],
  'redfish/log_entries/public-smartnic__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical AmbientTemp ×1',
  ],
  'redfish/log_entries/public-smartnic__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical AmbientTemp ×2',
  ],
  'redfish/log_entries/public-smartnic__Systems__Card1-SoC__LogServices__Log1__Entries.json': [],
  'redfish/log_entries/public-telemetry__Managers__1__LogServices__Log1__Entries.json': [],
  'redfish/log_entries/public-tower__Managers__BMC__LogServices__Log__Entries.json': [
    'TemperatureCritical ×1',
  ],
  'redfish/log_entries/public-tower__Systems__437XR1238R2__LogServices__Log1__Entries.json': [
    'TemperatureCritical Temperature_0x01 ×1',
    'TemperatureCritical Temperature_0x02 ×1',
  ],
  'kernel/linuxfabrik_dmesg/error-rcu-stall.txt': ['KernelCpuStall ×1'],
  'kernel/linuxfabrik_dmesg/errors-blk-update-request-two.txt': ['DiskFailure sda ×2'],
  'kernel/mcelog_raw_inputs/bdw_mirror1': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/bdw_mirror2': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/dimm0': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/dmr_dcu_srar': ['MachineCheckUncorrected ×1'],
  'kernel/mcelog_raw_inputs/full1': ['MachineCheckUndecodable ×1'],
  'kernel/mcelog_raw_inputs/iomca': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/simple1': ['MachineCheckUndecodable ×1'],
  'kernel/mcelog_raw_inputs/skx_mirror1': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/skx_mirror2': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/spr_uc_patscrub': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/unknown': ['MachineCheckCorrected ×1'],
  'kernel/mcelog_raw_inputs/xen': ['CpuCorrectedMachineCheck CPU1 ×1'],
  'kernel/rasdaemon_dimm_labels/apple': [],
  'kernel/rasdaemon_dimm_labels/asrock': [],
  'kernel/rasdaemon_dimm_labels/asus': [],
  'kernel/rasdaemon_dimm_labels/dell': [],
  'kernel/rasdaemon_dimm_labels/gigabyte': [],
  'kernel/rasdaemon_dimm_labels/intel': [],
  'kernel/rasdaemon_dimm_labels/lenovo': [],
  'kernel/rasdaemon_dimm_labels/supermicro': [],
};

const SOURCES: [string, string][] = [
  ['bmc/ipmi-sel/ipmiutil_userguide', 'ipmi-sel'],
  ['bmc/ipmi-sel/linuxfabrik', 'ipmi-sel'],
  ['redfish/log_entries', 'redfish'],
  ['kernel/linuxfabrik_dmesg', 'syslog'],
  ['kernel/mcelog_raw_inputs', 'syslog'],
  ['kernel/rasdaemon_dimm_labels', 'syslog'],
];

async function analyze(dir: string, file: string, source: string): Promise<{ lines: string[]; raw: string }> {
  let raw = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      raw += String(chunk);
      done();
    },
  });
  const stderr = new Writable({ write: (_c, _e, done) => done() });
  await analyzeCommand({
    source,
    input: createReadStream(fixturePath(dir, file)),
    stdout,
    stderr,
    host: 'node-1',
    receivedAt: '2026-01-01T00:00:00Z',
  });
  const alerts = raw
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as { rule: string; count: number; inhibited: boolean; labels: Record<string, string> },
    );
  const lines = alerts.map(
    (a) =>
      `${a.rule}${a.labels.hw_id !== undefined ? ` ${a.labels.hw_id}` : ''} ×${a.count}${a.inhibited ? ' (child)' : ''}`,
  );
  return { lines, raw };
}

describe('faultline analyze over the hardware fixtures', () => {
  for (const [dir, source] of SOURCES) {
    for (const file of readdirSync(fixturePath(dir)).filter((f) => !/LICENSE|PROVENANCE/.test(f))) {
      it(`${dir}/${file}`, async () => {
        const { lines } = await analyze(dir, file, source);
        expect(lines).toEqual(EXPECTED[`${dir}/${file}`]);
      });
    }
  }

  it('gives byte-identical output when run twice on the same input', async () => {
    const first = await analyze(
      'bmc/ipmi-sel/linuxfabrik',
      'ipmitool_sel_elist_acpi-soft-off.txt',
      'ipmi-sel',
    );
    const second = await analyze(
      'bmc/ipmi-sel/linuxfabrik',
      'ipmitool_sel_elist_acpi-soft-off.txt',
      'ipmi-sel',
    );
    expect(second.raw).toBe(first.raw);
    expect(first.lines.length).toBeLessThan(20);
  });
});
