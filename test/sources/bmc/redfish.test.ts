import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { redfishSource } from '../../../src/sources/bmc/redfish/index.js';
import { getSource } from '../../../src/sources/registry.js';
import { fixturePath, readFixture } from '../../helpers/fixtures.js';
import { expectAlwaysFields, runRedfish } from './harness.js';

const LOG_ENTRY_FILES = readdirSync(fixturePath('redfish', 'log_entries'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const SINGLE_ENTRY_FILES = [
  ['redfish', 'public-smartnic', 'Managers', 'BMC', 'LogServices', 'Log', 'Entries', '1', 'index.json'],
  [
    'redfish',
    'public-smartnic',
    'Systems',
    '437XR1138R2',
    'LogServices',
    'Log1',
    'Entries',
    '1',
    'index.json',
  ],
  [
    'redfish',
    'public-smartnic',
    'Systems',
    '437XR1138R2',
    'LogServices',
    'Log1',
    'Entries',
    '2',
    'index.json',
  ],
] as const;

function logEntries(file: string): { text: string; members: unknown[] } {
  const text = readFixture('redfish', 'log_entries', file);
  return { text, members: (JSON.parse(text) as { Members: unknown[] }).Members };
}

type Row = [
  hwType: string,
  faultClass: string,
  code: string,
  hwId: string | undefined,
  timestamp: string,
  severity: number,
];

function rows(events: FaultEvent[]): Row[] {
  return events.map((e) => [
    e['hw.type']!,
    e['hw.fault.class']!,
    e['event.code']!,
    e['hw.id'],
    e['@timestamp'],
    e['event.severity'],
  ]);
}

const SEL_PAIR = (id1: string, id2: string): Row[] => [
  ['temperature', 'failure', '0x01/0x01/0x09', id1, '2012-03-07T14:44:00.000Z', 2],
  ['temperature', 'failure', '0x01/0x01/0x09', id2, '2012-03-07T14:45:00.000Z', 2],
];
const MELTING: Row[] = [
  ['temperature', 'failure', 'Event.1.0.TempWayTooHot', undefined, '2012-03-07T14:44:00.000Z', 2],
];

/** What a user querying each DMTF LogEntryCollection mockup finds; empty collections decode to nothing. */
const EXPECTED: Record<string, Row[]> = {
  'public-acd__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-acd__Systems__437XR1138R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
  'public-bladed__Managers__Blade3BMC__LogServices__Log__Entries.json': [
    ['temperature', 'predictive', 'Event.1.0.TempWayTooHot', undefined, '2016-01-15T03:01:00.000Z', 4],
  ],
  'public-bladed__Managers__MultiBladeBMC__LogServices__Log__Entries.json': [
    ['fan', 'failure', 'Event.1.0.FanWayTooSlow', 'FAN2', '2016-01-10T18:02:00.000Z', 2],
  ],
  'public-catfish__Systems__1__LogServices__SEL__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
  'public-cxl__Chassis__CXL-Chassis__LogServices__LocalLog1__Entries.json': [
    ['temperature', 'failure', 'Event.1.0.TempAssert', undefined, '2012-03-07T14:44:00.000Z', 2],
  ],
  'public-liquid-cooled-server__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-liquid-cooled-server__Systems__437XR1138R2__LogServices__Log1__Entries.json': [
    [
      'temperature',
      'predictive',
      'Thermal.1.0.TemperatureAboveUpperCautionThreshold',
      'CPU_1_Coolant',
      '2012-03-07T14:45:00.000Z',
      4,
    ],
  ],
  'public-localstorage__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-localstorage__Systems__437XR1138R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
  'public-mpf__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-mpf__Systems__437XR1138R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
  'public-nvmeof-jbof__Managers__BMC__LogServices__Log__Entries.json': [
    ['temperature', 'failure', 'Event.1.0.TempWayTooHot', undefined, '2020-03-30T12:44:35.000Z', 2],
  ],
  'public-rackmount1__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-rackmount1__Systems__437XR1138R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
  'public-sasfabric__Managers__Switch1__LogServices__Log__Entries.json': [
    ['bmc', 'informational', 'Event.1.0.LogClear', undefined, '2012-03-07T14:44:00.000Z', 6],
  ],
  'public-sasfabric__Managers__Switch2__LogServices__Log__Entries.json': [
    ['bmc', 'informational', 'Event.1.0.LogClear', undefined, '2012-03-07T14:44:00.000Z', 6],
  ],
  'public-smartnic__Managers__BMC__LogServices__Log__Entries.json': [
    ['temperature', 'failure', 'Event.1.0.TempWayTooHot', 'AmbientTemp', '2012-03-07T14:44:00.000Z', 2],
  ],
  'public-smartnic__Systems__437XR1138R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'AmbientTemp',
    'AmbientTemp',
  ),
  'public-tower__Managers__BMC__LogServices__Log__Entries.json': MELTING,
  'public-tower__Systems__437XR1238R2__LogServices__Log1__Entries.json': SEL_PAIR(
    'Temperature_0x01',
    'Temperature_0x02',
  ),
};

describe('redfish: every member of every DMTF LogEntry fixture is decoded or rejected, none dropped', () => {
  it.each(LOG_ENTRY_FILES)('%s', (file) => {
    const { text, members } = logEntries(file);
    const run = runRedfish(text, { host: 'node-3' });
    // One frame per member; an empty collection is one frame that decodes to no events.
    expect(run.frames).toHaveLength(Math.max(1, members.length));
    expect(run.decoded.length + run.rejected.length).toBe(run.frames.length);
    expect(run.events.length + run.rejected.length).toBe(members.length);
    expect(run.rejected).toEqual([]);
    for (const e of run.events) {
      expectAlwaysFields(e, 'bmc.redfish');
      expect(e['host.name']).toBe('node-3');
    }
    expect(rows(run.events)).toEqual(EXPECTED[file] ?? []);
  });

  it('finds the 28 entries the provenance counts: 14 SEL and 14 Event, 24 Critical', () => {
    const all = LOG_ENTRY_FILES.flatMap((f) => runRedfish(logEntries(f).text).events);
    expect(all).toHaveLength(28);
    expect(all.filter((e) => e['bmc.redfish.entry_type'] === 'SEL')).toHaveLength(14);
    expect(all.filter((e) => e['bmc.redfish.entry_type'] === 'Event')).toHaveLength(14);
    expect(all.filter((e) => e['bmc.redfish.severity'] === 'Critical')).toHaveLength(24);
    expect(all.filter((e) => e['hw.type'] !== 'unknown')).toHaveLength(28);
  });

  it.each(SINGLE_ENTRY_FILES)('decodes the single LogEntry %s/%s/%s/%s/%s/%s/%s/%s/%s', (...parts) => {
    const run = runRedfish(readFixture(...parts));
    expect(run.frames).toHaveLength(1);
    expect(run.events).toHaveLength(1);
    const e = run.events[0]!;
    expectAlwaysFields(e, 'bmc.redfish');
    expect([e['hw.type'], e['hw.id'], e['hw.fault.class']]).toEqual([
      'temperature',
      'AmbientTemp',
      'failure',
    ]);
  });
});

describe('redfish SEL entries are read with the IPMI tables', () => {
  const run = runRedfish(logEntries('public-catfish__Systems__1__LogServices__SEL__Entries.json').text);

  it('decodes MessageId as event data, EntryCode as the threshold state, SensorType as the part', () => {
    const [first, second] = run.events as [FaultEvent, FaultEvent];
    expect(first['bmc.redfish.event_data']).toBe('592a28');
    expect(first['bmc.redfish.event_offset']).toBe('0x09');
    expect(first['bmc.redfish.entry_code']).toBe('Upper Critical - going high');
    expect(first['bmc.redfish.sensor_number']).toBe(1);
    expect(first['bmc.redfish.message_id']).toBe('0x592A28');
    expect(first.message).toBe('Temperature threshold exceeded');
    expect(first['bmc.redfish.origin']).toBe('/redfish/v1/Chassis/1/Thermal');
    expect(second['bmc.redfish.event_data']).toBe('592e28');
  });

  it('cuts members out byte for byte, at the line where each starts, with its JSON path', () => {
    const text = logEntries('public-catfish__Systems__1__LogServices__SEL__Entries.json').text;
    expect(run.frames.map((f) => [f.line, f.path])).toEqual([
      [7, '$.Members[0]'],
      [26, '$.Members[1]'],
    ]);
    for (const [i, f] of run.frames.entries()) {
      expect(text.includes(f.payload)).toBe(true);
      expect(JSON.parse(f.payload)).toEqual((JSON.parse(text) as { Members: unknown[] }).Members[i]);
      expect(text.split('\n')[f.line - 1]!.trim()).toBe('{');
    }
    expect(run.events[0]!['event.original']).toBe(run.frames[0]!.payload);
    expect(run.events[0]!['event.id']).not.toBe(run.events[1]!['event.id']);
  });
});

describe('redfish Event entries are read with the message registries', () => {
  it('expands an unexpanded template in Message and finds the message under another registry prefix', () => {
    const run = runRedfish(
      logEntries('public-liquid-cooled-server__Systems__437XR1138R2__LogServices__Log1__Entries.json').text,
    );
    const e = run.events[0]!;
    expect(e.message).toBe(
      "Temperature 'CPU#1 Coolant' reading of 47 degrees (C) is above the 45 upper caution threshold.",
    );
    expect(e['bmc.redfish.message_matched_by_key']).toBe(true);
    expect(e['bmc.redfish.message_args']).toEqual(['CPU#1 Coolant', '47', '45']);
  });

  it('reads a zone-less Created as UTC and falls back to the MessageId when Message is empty', () => {
    const e = runRedfish(
      logEntries('public-cxl__Chassis__CXL-Chassis__LogServices__LocalLog1__Entries.json').text,
    ).events[0]!;
    expect(e['@timestamp']).toBe('2012-03-07T14:44:00.000Z');
    expect(e.message).toBe('Event.1.0.TempAssert');
  });
});

describe('redfish EventService payloads', () => {
  // An OpenBMC (bmcweb) EventService push in the Redfish Event schema. MessageIds, argument order and
  // templates are those of bmcweb's openbmc.json registry; the values are illustrative. The third member
  // is deliberately broken (timestamp is not a date) to show per-member dead-lettering.
  const payload = `{
  "@odata.type": "#Event.v1_4_0.Event",
  "Id": "1",
  "Name": "Event Log",
  "Events": [
    {
      "EventId": "1650000000",
      "EventTimestamp": "2022-04-15T05:20:00+00:00",
      "EventType": "Event",
      "Message": "Memory ECC correctable error. Socket=0 Channel=C DIMM=1 Rank=0.",
      "MessageArgs": ["0", "C", "1", "0"],
      "MessageId": "OpenBMC.0.1.MemoryECCCorrectable",
      "MessageSeverity": "Warning",
      "OriginOfCondition": "/redfish/v1/Systems/system/Memory/dimm2"
    },
    {
      "EventId": "1650000001",
      "EventTimestamp": "2022-04-15T05:21:00+00:00",
      "EventType": "Event",
      "MessageArgs": ["24", "0", "1"],
      "MessageId": "OpenBMC.0.1.PCIeFatalPoisonedTLP",
      "MessageSeverity": "Critical"
    },
    {
      "EventId": "1650000002",
      "EventTimestamp": "yesterday",
      "EventType": "Event",
      "MessageId": "OpenBMC.0.1.PowerSupplyFailed",
      "MessageArgs": ["PSU1"]
    },
    {
      "EventId": "1650000003",
      "EventTimestamp": "2022-04-15T05:22:00Z",
      "EventType": "Event",
      "MessageArgs": ["0xff", "0xff", "0xff", "0xff"],
      "MessageId": "OpenBMC.0.1.MemoryECCUncorrectable",
      "MessageSeverity": "Critical",
      "OriginOfCondition": "/redfish/v1/Systems/system/Memory/dimm7"
    }
  ]
}`;
  const run = runRedfish(payload, { host: 'r12-n04' });

  it('decodes each event on its own and rejects only the bad one, with its line and path', () => {
    expect(run.frames).toHaveLength(4);
    expect(run.events).toHaveLength(3);
    expect(run.rejected).toEqual([
      expect.objectContaining({
        line: 24,
        path: '$.Events[2]',
        reason: "EventTimestamp 'yesterday' is not an ISO 8601 date-time",
      }),
    ]);
  });

  it('turns MemoryECCCorrectable socket/channel/DIMM into the canonical DIMM id', () => {
    const e = run.events[0]!;
    expectAlwaysFields(e, 'bmc.redfish');
    expect([e['hw.type'], e['hw.id'], e['hw.fault.class'], e['event.code'], e['event.severity']]).toEqual([
      'memory',
      'CPU0_DIMM_C1',
      'correctable',
      'OpenBMC.0.1.MemoryECCCorrectable',
      4,
    ]);
    expect([
      e['bmc.redfish.arg.socket'],
      e['bmc.redfish.arg.channel'],
      e['bmc.redfish.arg.dimm'],
      e['bmc.redfish.arg.rank'],
    ]).toEqual(['0', 'C', '1', '0']);
    expect(e['@timestamp']).toBe('2022-04-15T05:20:00.000Z');
    expect(e['host.name']).toBe('r12-n04');
    expect(e['bmc.redfish.record']).toBe('event');
  });

  it('renders the registry template when the event has no Message, and names the PCIe function', () => {
    const e = run.events[1]!;
    expect(e.message).toBe('PCIe Fatal Poisoned TLP Error. Bus=24 Device=0 Function=1.');
    expect([e['hw.type'], e['hw.fault.class'], e['hw.id'], e['event.severity']]).toEqual([
      'pcie',
      'uncorrectable',
      '24:0.1',
      2,
    ]);
  });

  it('does not invent a DIMM from "location unknown" (0xff) arguments', () => {
    const e = run.events[2]!;
    expect([e['hw.type'], e['hw.fault.class'], e['hw.id']]).toEqual(['memory', 'uncorrectable', 'dimm7']);
  });

  it('splits NDJSON event payloads per member, each at its own line', () => {
    const ndjson = [
      '{"Events":[{"EventTimestamp":"2024-01-01T00:00:00Z","MessageId":"Power.1.2.PowerSupplyFailed","MessageArgs":["PSU2"],"Severity":"Critical"}]}',
      '{"Events":[{"EventTimestamp":"2024-01-01T00:01:00Z","MessageId":"StorageDevice.1.5.DriveFailure","MessageArgs":["Bay 3"]},{"EventTimestamp":"2024-01-01T00:02:00Z","MessageId":"StorageDevice.1.5.DriveFailureCleared","MessageArgs":["Bay 3"]}]}',
    ].join('\n');
    const r = runRedfish(ndjson);
    expect(r.frames.map((f) => [f.line, f.path])).toEqual([
      [1, '$.Events[0]'],
      [2, '$.Events[0]'],
      [2, '$.Events[1]'],
    ]);
    expect(r.events.map((e) => [e['hw.type'], e['hw.id'], e['hw.fault.class']])).toEqual([
      ['power_supply', 'PSU2', 'failure'],
      ['physical_disk', 'Bay_3', 'failure'],
      ['physical_disk', 'Bay_3', 'recovered'],
    ]);
  });
});

describe('redfish records that are not events are rejected with a reason', () => {
  it('rejects resources other than LogEntry/Event with their @odata.type', () => {
    const run = runRedfish(readFixture('redfish', 'public-smartnic', 'Chassis', '1U', 'index.json'));
    expect(run.rejected).toEqual([
      expect.objectContaining({
        line: 1,
        reason: expect.stringMatching(/not a Redfish LogEntry.*#Chassis\./),
      }),
    ]);
  });

  it('rejects malformed JSON (Telegraf dell_powerinvalid.json) as one record at its first line', () => {
    const run = runRedfish(
      readFixture('redfish', 'vendor', 'telegraf_redfish_testdata', 'dell', 'dell_powerinvalid.json'),
    );
    expect(run.frames).toHaveLength(1);
    expect(run.rejected).toEqual([
      expect.objectContaining({ line: 1, reason: expect.stringMatching(/^invalid JSON/) }),
    ]);
  });

  it('decoding a whole collection directly is all-or-nothing, naming the bad member', () => {
    const { text } = logEntries('public-catfish__Systems__1__LogServices__SEL__Entries.json');
    const ok = redfishSource.decode(text, { line: 1 });
    expect(ok.ok && ok.events.length).toBe(2);
    if (ok.ok) expect(ok.events[0]!['event.id']).not.toBe(ok.events[1]!['event.id']);
    const doc = JSON.parse(text) as { Members: Record<string, unknown>[] };
    doc.Members[1]!.Created = 'not a time';
    const bad = redfishSource.decode(JSON.stringify(doc), { line: 1 });
    expect(bad).toEqual({
      ok: false,
      reason: "Members member 1: Created 'not a time' is not an ISO 8601 date-time",
      path: '$.Members[1].Created',
    });
    // A zone offset that carries the time past 9999-12-31 UTC is no storable date either.
    doc.Members[1]!.Created = '9999-12-31T23:00:00-05:00';
    const late = redfishSource.decode(JSON.stringify(doc), { line: 1 });
    expect(late.ok).toBe(false);
  });

  it('keeps Oem LogEntries, marked OEM, read from their words and severity', () => {
    // LogEntry shape per the DMTF LogEntry schema (EntryType Oem, OemRecordFormat); values illustrative.
    const entry = JSON.stringify({
      '@odata.id': '/redfish/v1/Systems/1/LogServices/Oem/Entries/7',
      Id: '7',
      EntryType: 'Oem',
      OemRecordFormat: 'Vendor SEL',
      Created: '2024-05-01T10:00:00-07:00',
      Severity: 'Warning',
      Message: 'Fan 4 speed below lower threshold',
    });
    const r = redfishSource.decode(entry, { line: 1, host: 'n1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const e = r.events[0]!;
    expectAlwaysFields(e, 'bmc.redfish');
    expect([
      e['bmc.redfish.oem'],
      e['hw.type'],
      e['hw.id'],
      e['hw.fault.class'],
      e['event.severity'],
    ]).toEqual([true, 'fan', 'FAN4', 'predictive', 4]);
    expect(e['@timestamp']).toBe('2024-05-01T17:00:00.000Z');
    expect(e['event.code']).toBeUndefined();
  });

  it('is registered under its id and dataset', () => {
    expect(getSource('redfish')).toMatchObject({ id: 'redfish', createFramer: redfishSource.createFramer });
    expect(redfishSource.dataset).toBe('bmc.redfish');
  });
});
