import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipmiSelSource, selFramer } from '../../../src/sources/bmc/ipmi-sel/index.js';
import { redfishSource } from '../../../src/sources/bmc/redfish/index.js';
import { frameText } from '../../../src/sources/framing.js';
import type { DecodeResult, Source } from '../../../src/sources/types.js';
import { fixturePath, readFixture } from '../../helpers/fixtures.js';
import { expectAlwaysFields, nonBlankLines } from './harness.js';

const SEL_TEXTS = [
  readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_chassis-intrusion.txt'),
  readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_acpi-soft-off.txt'),
  readFixture('bmc', 'ipmi-sel', 'ipmiutil_userguide', 'ipmiutil_sel_samples_from_UserGuide.txt'),
  readFixture('bmc', 'ipmi-sel', 'openbmc', 'grandcanyon_log-util_print.txt'),
  readFixture('bmc', 'ipmi-sel', 'generated', 'openbmc_fby35_log-util_pmic_dimm.txt'),
  readFixture('bmc', 'ipmi-sel', 'generated', 'webui_export_and_pcie_bdf.txt'),
];
const SEL_RECORDS = SEL_TEXTS.flatMap((t) => frameText(selFramer(), t).map((f) => f.payload));
// Shapes the fixtures lack (verbose block, FreeIPMI row, OEM/panic rows), generated in each tool's
// layout, so their parsers are fuzzed too.
SEL_RECORDS.push(
  'SEL Record ID          : 00a1\n Record Type           : 02\n Timestamp             : 08/08/2019 10:37:17\n Sensor Type           : Processor\n Sensor Number         : 40\n Event Type            : Sensor-specific Discrete\n Event Direction       : Assertion Event\n Event Data            : ab0700\n Description           : Uncorrectable machine check exception',
  '56  | Apr-17-2024 | 06:41:32 | BB +1.1V STBY    | Voltage                     | Warning  | Assertion Event   | Lower Non-critical - going low ; Sensor Reading = 0.21 V ; Threshold = 0.97 V',
  '  35 | Linux kernel panic: Fatal excep',
  '  37 | OEM record e0 | 00112233445566778899aabbcc',
  '  34 | 02/25/2025 | 04:50:09 PM EST | Memory #0x02 | Uncorrectable ECC (UnCorrectable ECC |  DIMMD7) | Asserted',
);

const REDFISH_RECORDS = readdirSync(fixturePath('redfish', 'log_entries'))
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    frameText(redfishSource.createFramer(), readFixture('redfish', 'log_entries', f)).map((fr) => fr.payload),
  );
// The generated iDRAC array-of-Member entries, framed member by member and as the whole bare array.
const IDRAC = readFixture('redfish', 'generated', 'idrac-sel-member-arrays.json');
REDFISH_RECORDS.push(IDRAC, ...frameText(redfishSource.createFramer(), IDRAC).map((fr) => fr.payload));
REDFISH_RECORDS.push(
  '{"Events":[{"EventTimestamp":"2022-04-15T05:20:00+00:00","MessageArgs":["0","C","1","0"],"MessageId":"OpenBMC.0.1.MemoryECCCorrectable","MessageSeverity":"Warning"}]}',
);

/** The Source contract: never throws, always a well-formed result, ok events carry the always-fields. */
function checkContract(source: Source, payload: string, receivedAt?: string): DecodeResult {
  let result: DecodeResult | undefined;
  expect(() => {
    result = source.decode(payload, {
      line: 1,
      host: 'fuzz-node',
      ...(receivedAt !== undefined ? { receivedAt } : {}),
    });
  }).not.toThrow();
  const r = result!;
  if (r.ok) {
    for (const e of r.events) {
      expectAlwaysFields(e, source.dataset as 'bmc.sel' | 'bmc.redfish');
      expect(e['event.original']).toBe(payload);
    }
  } else {
    expect(typeof r.reason).toBe('string');
    expect(r.reason.length).toBeGreaterThan(0);
  }
  return r;
}

const receivedAt = fc.option(
  fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  { nil: undefined },
);

/** Cuts a record at a random point, or overwrites one random character. */
const mangled = (records: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...records),
      fc.nat(),
      fc.nat(),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
      fc.boolean(),
    )
    .map(([rec, a, b, ch, cut]) => {
      if (cut) return rec.slice(0, a % (rec.length + 1));
      const i = b % Math.max(1, rec.length);
      return rec.slice(0, i) + ch + rec.slice(i + 1);
    });

describe('ipmi-sel decoder never throws', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), receivedAt, (s, t) => {
        checkContract(ipmiSelSource, s, t);
      }),
      { numRuns: 500 },
    );
  });

  it('on random |-separated rows', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        'Asserted',
        'Deasserted',
        'Pre-Init',
        '0000000085',
        '01/02/2020',
        'Jan-02-2020',
        '10:11:12',
      ),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 9 }), receivedAt, (cells, t) => {
        checkContract(ipmiSelSource, ` ${cells.join(' | ')}`, t);
      }),
      { numRuns: 500 },
    );
  });

  it('on truncated and corrupted real records', () => {
    fc.assert(
      fc.property(mangled(SEL_RECORDS), receivedAt, (s, t) => {
        checkContract(ipmiSelSource, s, t);
      }),
      { numRuns: 1000 },
    );
  });

  it('and its framer accounts for every non-blank line of random input', () => {
    const line = fc.oneof(
      fc.constantFrom(...SEL_RECORDS.flatMap((r) => r.split('\n')), '', 'RecId Date/Time SEV', '-----'),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join('\n');
        const framer = selFramer();
        const frames = frameText(framer, text);
        const skipped = framer.skipped.header + framer.skipped.separator + framer.skipped.banner;
        expect(frames.reduce((n, f) => n + nonBlankLines(f.payload), 0) + skipped).toBe(
          nonBlankLines(text.replace(/\r/g, '')),
        );
        for (const f of frames) checkContract(ipmiSelSource, f.payload);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redfish decoder never throws', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), receivedAt, (s, t) => {
        checkContract(redfishSource, s, t);
      }),
      { numRuns: 500 },
    );
  });

  it('on random JSON documents and LogEntry-shaped objects with random property values', () => {
    const keys = [
      'Created',
      'EntryType',
      'MessageId',
      'Message',
      'MessageArgs',
      'SensorType',
      'EntryCode',
      'SensorNumber',
      'Severity',
      'Links',
      'OriginOfCondition',
      'EventTimestamp',
      'Members',
      'Events',
      '@odata.type',
    ];
    const entry = fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 10 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json({ maxDepth: 3 }),
          entry.map((o) => JSON.stringify(o)),
          entry.map((o) => JSON.stringify({ Members: [o, o] })),
        ),
        receivedAt,
        (s, t) => {
          checkContract(redfishSource, s, t);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on truncated and corrupted real LogEntries', () => {
    fc.assert(
      fc.property(mangled(REDFISH_RECORDS), receivedAt, (s, t) => {
        checkContract(redfishSource, s, t);
      }),
      { numRuns: 1000 },
    );
  });

  it('and its framer never loses a member: every frame decodes or is rejected', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...REDFISH_RECORDS), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (members, ndjson) => {
          const docs = members.map((m) => `{"Members":[${m}]}`);
          const text = ndjson
            ? docs.map((d) => d.replace(/\n/g, ' ')).join('\n')
            : `{"Members":[${members.join(',\n')}]}`;
          const frames = frameText(redfishSource.createFramer(), text);
          expect(frames).toHaveLength(members.length);
          for (const f of frames) checkContract(redfishSource, f.payload);
        },
      ),
      { numRuns: 200 },
    );
  });
});
