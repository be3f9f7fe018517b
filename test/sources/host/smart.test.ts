import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameText } from '../../../src/sources/framing.js';
import { smartSource } from '../../../src/sources/host/smart/index.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText as decodeWith } from '../../helpers/decode-text.js';
import { fuzzInputs, resultProblem } from '../../helpers/decoder-properties.js';
import { fixturePath, readFixture } from '../../helpers/fixtures.js';

const decodeText = (text: string, ctx: DecodeContext = {}) => decodeWith(smartSource, text, ctx);

/** The parts of smartctl --json the assertions read. */
interface SmartDoc {
  serial_number?: string;
  model_name?: string;
  scsi_model_name?: string;
  device: { name: string; protocol: string };
  smart_status: { passed: boolean };
  temperature?: { current?: number };
  power_on_time?: { hours?: number };
  nvme_smart_health_information_log?: { percentage_used?: number; media_errors?: number };
  ata_smart_attributes?: { table?: { id: number; raw: { value: number } }[] };
}

const EXPORTER_DIR = ['smart', 'smartctl_exporter_testdata'];
const exporterFiles = readdirSync(fixturePath(...EXPORTER_DIR)).filter((f) => f.endsWith('.json'));

describe('smart source on smartctl_exporter testdata (168 real drives)', () => {
  const results = exporterFiles.map((file) => {
    const text = readFixture(...EXPORTER_DIR, file);
    return {
      file,
      doc: JSON.parse(text) as SmartDoc,
      ...decodeText(text, { host: 'storage-01' }),
    };
  });

  it('decodes every file into exactly one physical_disk event and rejects none', () => {
    expect(exporterFiles).toHaveLength(168);
    expect(results.flatMap((r) => r.rejected)).toEqual([]);
    expect(results.every((r) => r.events.length === 1)).toBe(true);
  });

  it('per file, the queryable fields agree with the smartctl JSON', () => {
    for (const { file, doc, events } of results) {
      const e = events[0]!;
      const ctx = `${file}`;
      expect(e['hw.type'], ctx).toBe('physical_disk');
      expect(e['event.dataset'], ctx).toBe('host.smart');
      expect(e['host.name'], ctx).toBe('storage-01');
      expect(e['hw.id'], ctx).toBe(doc.serial_number ?? doc.device.name);
      expect(e['hw.name'], ctx).toBe(doc.model_name ?? doc.scsi_model_name);
      expect(e['smart.device.name'], ctx).toBe(doc.device.name);
      expect(e['smart.protocol'], ctx).toBe(doc.device.protocol);
      expect(e['smart.passed'], ctx).toBe(doc.smart_status.passed);
      expect(e['smart.temperature'], ctx).toBe(doc.temperature?.current);
      expect(e['smart.power_on_hours'], ctx).toBe(doc.power_on_time?.hours);
      expect(e['@timestamp'], ctx).toBe('2009-02-13T23:31:30.000Z');
      if (doc.nvme_smart_health_information_log !== undefined) {
        expect(e['smart.nvme.percentage_used'], ctx).toBe(
          doc.nvme_smart_health_information_log.percentage_used,
        );
        expect(e['smart.nvme.media_errors'], ctx).toBe(doc.nvme_smart_health_information_log.media_errors);
      }
      const realloc = doc.ata_smart_attributes?.table?.find((a) => a.id === 5);
      if (realloc !== undefined) expect(e['smart.reallocated_sectors'], ctx).toBe(realloc.raw.value);
    }
  });

  it('finds the one failed drive and the seven with predictive signs; the rest are informational', () => {
    const byClass = (cls: string) =>
      results
        .filter((r) => r.events[0]!['hw.fault.class'] === cls)
        .map((r) => r.file)
        .sort();
    expect(byClass('failure')).toEqual(['nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json']);
    expect(byClass('predictive')).toEqual([
      'SEAGATE_ST373453LC_26.json',
      'ST3500418AS_11.json',
      'ST3500418AS_12.json',
      'sat-Intel_S3520_Series_SSDs-INTEL_SSDSC2BB016T7-sdc.json',
      'sat-Intel_S4510_S4610_S4500_S4600_Series_SSDs-INTEL_SSDSC2KB240G7-sdd.json',
      'sat-Phison_Driven_SSDs-KINGSTON_SKC400S371T-sda.json',
      'sat-Seagate_Constellation_ES.3-ST3000NM0033-9ZM178-sdc.json',
    ]);
    expect(byClass('informational')).toHaveLength(160);

    const failed = results.find((r) => r.file.startsWith('nvme-null-SAMSUNG_MZWLL3T2HAJQ'))!.events[0]!;
    expect(failed).toMatchObject({
      'event.severity': 2,
      'smart.passed': false,
      'smart.nvme.critical_warning': 16,
      'smart.exit_status': 8,
      'hw.name': 'SAMSUNG MZWLL3T2HAJQ-00005',
    });
    expect(failed.message).toMatch(/SMART FAILED: \/dev\/nvme0 .*volatile memory backup failed/);

    const worn = results.find((r) => r.file === 'ST3500418AS_12.json')!.events[0]!;
    expect(worn).toMatchObject({
      'event.severity': 4,
      'smart.reallocated_sectors': 304,
      'smart.pending_sectors': 0,
    });
    const scsi = results.find((r) => r.file === 'SEAGATE_ST373453LC_26.json')!.events[0]!;
    expect(scsi).toMatchObject({ 'smart.scsi.grown_defects': 260, 'hw.fault.class': 'predictive' });
    expect(results.filter((r) => r.events[0]!['event.severity'] === 6)).toHaveLength(160);
  });
});

describe('smart source on telegraf smartctl testcases (ground truth: expected.out)', () => {
  const cases = ['megaraid', 'nvme', 'scsi', 'scsi_extended', 'usb'];

  it.each(cases)('testcases_device/%s/response.json agrees with telegraf’s decoded fields', (name) => {
    const { events, rejected } = decodeText(
      readFixture('smart', 'telegraf_smartctl', 'testcases_device', name, 'response.json'),
    );
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    const expected = readFixture('smart', 'telegraf_smartctl', 'testcases_device', name, 'expected.out')
      .split('\n')
      .find((l) => l.startsWith('smartctl,'))!;
    const field = (re: RegExp) => re.exec(expected)?.[1];
    expect(e['hw.id']).toBe(field(/serial=([^,\s]+)/));
    expect(e['smart.passed']).toBe(field(/health_ok=(true|false)/) === 'true');
    expect(e['smart.power_on_hours']).toBe(Number(field(/power_on_hours=(\d+)i/)));
    expect(e['smart.capacity_bytes']).toBe(Number(field(/capacity=(\d+)i/)));
    // Telegraf writes temperature=0i for a USB bridge that reports none; the decoder leaves it out.
    const temperature = Number(field(/temperature=(\d+)i/));
    if (temperature > 0) expect(e['smart.temperature']).toBe(temperature);
    else expect(e['smart.temperature']).toBeUndefined();
    expect(e['hw.fault.class']).toBe('informational');
  });

  it('megaraid: a warning from smartctl does not make a healthy drive a failure', () => {
    const e = decodeText(
      readFixture('smart', 'telegraf_smartctl', 'testcases_device', 'megaraid', 'response.json'),
    ).events[0]!;
    expect(e).toMatchObject({
      'smart.device.name': '/dev/bus/6',
      'smart.device.type': 'sat+megaraid,14',
      'smart.exit_status': 4,
      'hw.name': 'ST6000NM0115-1YZ110',
      '@timestamp': '2024-03-28T15:25:09.000Z',
    });
  });

  it('testcases_scan/*/response.json: a device list is rejected with its reason and JSON path', () => {
    for (const name of ['all', 'exclude', 'include', 'megaraid']) {
      const { events, rejected } = decodeText(
        readFixture('smart', 'telegraf_smartctl', 'testcases_scan', name, 'response.json'),
      );
      expect(events).toEqual([]);
      expect(rejected).toEqual([
        {
          line: 1,
          reason: 'smartctl --scan output lists devices and carries no health data',
          path: '$.devices',
        },
      ]);
    }
  });
});

describe('smart source: framing, errors, hosts', () => {
  it('frames concatenated pretty-printed documents and NDJSON alike', () => {
    const a = readFixture(...EXPORTER_DIR, 'ST3500418AS_12.json');
    const b = readFixture('smart', 'telegraf_smartctl', 'testcases_device', 'nvme', 'response.json');
    const pretty = decodeText(`${a}\n${b}`);
    expect(pretty.rejected).toEqual([]);
    expect(pretty.events.map((e) => e['smart.device.name'])).toEqual(['/dev/sda', '/dev/nvme0']);
    const ndjson = decodeText(`${JSON.stringify(JSON.parse(a))}\n\n${JSON.stringify(JSON.parse(b))}\n`);
    expect(ndjson.events.map((e) => e['event.original'].includes('\n'))).toEqual([false, false]);
    expect(ndjson.events).toHaveLength(2);
    const lines = frameText(smartSource.createFramer(), `${a}\n${b}`).map((f) => f.line);
    expect(lines).toEqual([1, a.split('\n').length + 1]);
  });

  it('a smartctl error without a device is a rejection carrying smartctl’s message', () => {
    const doc = {
      json_format_version: [1, 0],
      smartctl: {
        version: [7, 3],
        messages: [{ string: '/dev/sdz: Unable to detect device type', severity: 'error' }],
        exit_status: 1,
      },
    };
    expect(smartSource.decode(JSON.stringify(doc), {})).toEqual({
      ok: false,
      reason: 'smartctl error (exit status 1): /dev/sdz: Unable to detect device type',
      path: '$.smartctl',
    });
    const openFailed = {
      smartctl: {
        messages: [{ string: 'Smartctl open device: /dev/sdq failed: No such device', severity: 'error' }],
        exit_status: 2,
      },
      device: { name: '/dev/sdq', info_name: '/dev/sdq', type: 'sat', protocol: 'ATA' },
    };
    expect(smartSource.decode(JSON.stringify(openFailed), {})).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/No such device/),
    });
  });

  it('uses the host named in the document, else the transport host; receive time without local_time', () => {
    const doc = JSON.parse(
      readFixture('smart', 'telegraf_smartctl', 'testcases_device', 'usb', 'response.json'),
    );
    doc.host = 'bm-node-42';
    delete doc.local_time;
    const r = smartSource.decode(JSON.stringify(doc), {
      host: 'ignored',
      receivedAt: '2024-05-05T05:05:05Z',
    });
    expect(r).toMatchObject({
      ok: true,
      events: [{ 'host.name': 'bm-node-42', '@timestamp': '2024-05-05T05:05:05.000Z' }],
    });
  });

  it('smartctl -a text output (linuxfabrik) is not JSON: each stray line is rejected with its line', () => {
    const { events, rejected } = decodeText(
      readFixture('smart', 'linuxfabrik_smartctl_text', 'smartctl-v6-text-st12000vn0007-health-failed.txt'),
    );
    expect(events).toEqual([]);
    expect(rejected.length).toBeGreaterThan(10);
    expect(rejected[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/^invalid JSON/) });
  });
});

describe('smart source properties', () => {
  const ctx: DecodeContext = { host: 'prop-host', receivedAt: '2024-06-01T00:00:00.000Z' };
  const sample = readFixture(...EXPORTER_DIR, 'nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json');

  it('random strings, random JSON and truncated real documents never throw', () => {
    fc.assert(
      fc.property(
        fuzzInputs(sample),
        (s) => resultProblem(smartSource.decode(s, ctx), 'host.smart') === undefined,
      ),
      { numRuns: 1500 },
    );
  });

  it('documents with random values in the known fields never throw and keep the always-fields', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record({
          device: fc.oneof(fc.record({ name: anyValue, type: anyValue, protocol: anyValue }), anyValue),
          smart_status: fc.oneof(fc.record({ passed: anyValue }), anyValue),
          ata_smart_attributes: fc.oneof(
            fc.record({ table: fc.array(fc.record({ id: anyValue, raw: anyValue, when_failed: anyValue })) }),
            anyValue,
          ),
          nvme_smart_health_information_log: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), anyValue),
          local_time: fc.oneof(fc.record({ time_t: anyValue }), anyValue),
          smartctl: fc.oneof(fc.record({ exit_status: anyValue, messages: anyValue }), anyValue),
        }),
        (doc) => resultProblem(smartSource.decode(JSON.stringify(doc), ctx), 'host.smart') === undefined,
      ),
      { numRuns: 1500 },
    );
  });

  it('the stream framer cuts any split of concatenated documents identically', () => {
    const docs = [sample, readFixture(...EXPORTER_DIR, 'ST3500418AS_12.json')].join('\n');
    const whole = frameText(smartSource.createFramer(), docs).map((f) => f.payload);
    expect(whole).toHaveLength(2);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (junk) => {
        const frames = frameText(smartSource.createFramer(), `${junk}\n${docs}`);
        return (
          frames
            .slice(-2)
            .map((f) => f.payload)
            .join('|') === whole.join('|') ||
          junk.includes('{') ||
          junk.includes('[') ||
          junk.includes('"')
        );
      }),
    );
  });
});
