import { describe, expect, it } from 'vitest';
import { componentId, dimmId, fanId, psuId } from '../../../src/sources/bmc/component.js';
import {
  EVENT_TYPE_SENSOR_SPECIFIC,
  EVENT_TYPE_THRESHOLD,
  interpret,
  lookupOffset,
  matchDescription,
  sensorTypeByCode,
  sensorTypeByName,
  splitSensorColumn,
} from '../../../src/sources/bmc/ipmi-tables.js';

describe('IPMI 2.0 sensor types', () => {
  it('names every type 0x01–0x2C as ipmitool prints it', () => {
    for (let code = 0x01; code <= 0x2c; code++)
      expect(sensorTypeByCode(code)?.name, `0x${code.toString(16)}`).toBeTruthy();
    expect(sensorTypeByCode(0x0c)?.name).toBe('Memory');
    expect(sensorTypeByCode(0x28)?.name).toBe('Management Subsys Health');
  });

  it('knows the FreeIPMI, ipmiutil and Redfish spellings of the same type', () => {
    expect(sensorTypeByName('Button/Switch')?.code).toBe(0x14);
    expect(sensorTypeByName('Power Supply / Converter')?.code).toBe(0x08);
    expect(sensorTypeByName('Management Subsystem Health')?.code).toBe(0x28);
    expect(sensorTypeByName('System Firmware Progress')?.code).toBe(0x0f);
    expect(sensorTypeByName('Event Log')?.code).toBe(0x10);
    expect(sensorTypeByName('OEM Reserved')).toBeUndefined();
  });

  it('splits an elist sensor column into type and SDR name, longest type first', () => {
    expect(splitSensorColumn('Power Supply PS1 Status')).toEqual({
      typeName: 'Power Supply',
      rest: 'PS1 Status',
    });
    expect(splitSensorColumn('System ACPI Power State ACPI_Stat')).toEqual({
      typeName: 'System ACPI Power State',
      rest: 'ACPI_Stat',
    });
    expect(splitSensorColumn('Drive Slot / Bay HDD0')).toEqual({
      typeName: 'Drive Slot / Bay',
      rest: 'HDD0',
    });
    expect(splitSensorColumn('OS Boot')).toEqual({ typeName: 'OS Boot', rest: '' });
    expect(splitSensorColumn('Unknown #0xff')).toEqual({ typeName: 'Unknown', rest: '#0xff' });
    expect(splitSensorColumn('Temperatures X')).toEqual({ rest: 'Temperatures X' });
  });
});

describe('event offsets', () => {
  it('matches each tool’s wording of the same state to one offset', () => {
    const psuFail = ['Failure detected', 'Power Supply Failure detected'].map(
      (t) => matchDescription(0x08, t)?.info.offset,
    );
    expect(psuFail).toEqual([0x01, 0x01]);
    const upperCrit = ['Upper Critical going high', 'Upper Critical - going high', 'Hi Crit thresh'].map(
      (t) => matchDescription(0x01, t),
    );
    for (const m of upperCrit) expect([m?.eventType, m?.info.offset]).toEqual([EVENT_TYPE_THRESHOLD, 0x09]);
    expect(matchDescription(0x0c, 'Uncorrectable ECC')?.info.offset).toBe(0x01);
    expect(matchDescription(0x0c, 'Correctable ECC')?.info.offset).toBe(0x00);
    expect(matchDescription(0x0c, 'Memory Scrub Failed (stuck bit)')?.info.offset).toBe(0x03);
    expect(matchDescription(0x08, 'Config Error: Revision Mismatch')?.info.offset).toBe(0x06);
    expect(matchDescription(0x0b, 'Redundancy Lost')?.eventType).toBe(0x0b);
    expect(matchDescription(0x0c, 'something else entirely')).toBeUndefined();
  });

  it('gives the fault classes the issue names', () => {
    const cls = (st: number, et: number, off: number, dir: 'asserted' | 'deasserted' = 'asserted') =>
      interpret(st, et, lookupOffset(st, et, off), dir);
    expect(cls(0x0c, EVENT_TYPE_SENSOR_SPECIFIC, 0x00)).toEqual({
      hwType: 'memory',
      faultClass: 'correctable',
      severity: 4,
      code: '0x0c/0x00',
    });
    expect(cls(0x0c, EVENT_TYPE_SENSOR_SPECIFIC, 0x01).faultClass).toBe('uncorrectable');
    expect(cls(0x08, EVENT_TYPE_SENSOR_SPECIFIC, 0x01)).toEqual({
      hwType: 'power_supply',
      faultClass: 'failure',
      severity: 2,
      code: '0x08/0x01',
    });
    expect(cls(0x08, EVENT_TYPE_SENSOR_SPECIFIC, 0x02).faultClass).toBe('predictive');
    expect(cls(0x08, EVENT_TYPE_SENSOR_SPECIFIC, 0x01, 'deasserted')).toEqual({
      hwType: 'power_supply',
      faultClass: 'recovered',
      severity: 5,
      code: '0x08/0x01',
    });
    expect(cls(0x05, EVENT_TYPE_SENSOR_SPECIFIC, 0x00)).toMatchObject({
      hwType: 'enclosure',
      faultClass: 'informational',
    });
    expect(cls(0x22, EVENT_TYPE_SENSOR_SPECIFIC, 0x00)).toMatchObject({
      hwType: 'system',
      faultClass: 'informational',
    });
    expect(cls(0x01, EVENT_TYPE_THRESHOLD, 0x09)).toEqual({
      hwType: 'temperature',
      faultClass: 'failure',
      severity: 2,
      code: '0x01/0x01/0x09',
    });
    expect(cls(0x01, EVENT_TYPE_THRESHOLD, 0x0b).severity).toBe(1);
    expect(cls(0x04, EVENT_TYPE_THRESHOLD, 0x00).faultClass).toBe('predictive');
    // Presence lost is not "the presence fault went away".
    expect(cls(0x08, EVENT_TYPE_SENSOR_SPECIFIC, 0x00, 'deasserted')).toMatchObject({
      faultClass: 'informational',
      severity: 4,
    });
    // PCI SERR is reported on a critical-interrupt sensor but is about PCIe.
    expect(cls(0x13, EVENT_TYPE_SENSOR_SPECIFIC, 0x05)).toMatchObject({
      hwType: 'pcie',
      faultClass: 'uncorrectable',
    });
  });
});

describe('component ids', () => {
  it('spells DIMMs, PSUs and fans one way whatever the vendor wrote', () => {
    expect(
      [
        'CPU0_DIMM_C1',
        'DIMM_A1',
        'DIMMA1',
        'P1-DIMMA1',
        '@DIMMO6(CPU1)',
        'CPU 1 DIMM 2',
        'CPU0_G1',
        'Bank 2DIMM A',
      ].map(dimmId),
    ).toEqual([
      'CPU0_DIMM_C1',
      'DIMM_A1',
      'DIMM_A1',
      'CPU1_DIMM_A1',
      'CPU1_DIMM_O6',
      'CPU1_DIMM_2',
      'CPU0_DIMM_G1',
      'DIMM_A',
    ]);
    expect(['DIMMs', 'DIMM Temp', 'DIMM1Temp'].map(dimmId)).toEqual([undefined, undefined, undefined]);
    expect(['PS1 Status', 'PSU2', 'Power Supply 2', 'PWS 3'].map(psuId)).toEqual([
      'PS1',
      'PSU2',
      'PS2',
      'PWS3',
    ]);
    expect(['FAN1', 'Fan 2', 'SYS_FAN3', 'Fan1A'].map(fanId)).toEqual(['FAN1', 'FAN2', 'SYS_FAN3', 'FAN1A']);
  });

  it('keeps a reading sensor its own part and falls back to the sensor name', () => {
    expect(componentId('temperature', ['PSU1 Temp'], 'PSU1 Temp')).toBe('PSU1_Temp');
    expect(componentId('power_supply', ['Power Supplies'], 'Power Supplies')).toBe('Power_Supplies');
    expect(componentId('system', [undefined], undefined)).toBeUndefined();
  });
});
