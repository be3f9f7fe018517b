import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentJson, fromDocument, toDocument } from '../../src/model/document.js';
import type { FaultEvent } from '../../src/model/event.js';

/** A Loghub OpenStack line and an ipmitool SEL row, as the sources decode them (keys in source order). */
const osloEvent = {
  '@timestamp': '2017-05-16T00:00:01.551Z',
  'event.id': 'XnoM-e0ZiDFflXfzVkyJbR',
  'event.dataset': 'openstack.log',
  'event.kind': 'event',
  'event.severity': 6,
  'event.original':
    'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:01.551 25746 INFO nova.osapi_compute.wsgi.server [req-55db2d8d-cdb7-4b4b-993b-429be84c0c3e 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2731631',
  'event.module': 'openstack-log',
  message:
    '10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2731631',
  'host.name': 'compute-0',
  'log.level': 'INFO',
  'log.logger': 'nova.osapi_compute.wsgi.server',
  'process.pid': 25746,
  'cloud.provider': 'openstack',
  'service.name': 'nova-api',
  // Not next to the other log.* keys: the nested form must still hold one `log` object.
  'log.file.path': 'nova-api.log.1.2017-05-16_13:53:08',
  'labels.request_id': 'req-55db2d8d-cdb7-4b4b-993b-429be84c0c3e',
  'user.id': '113d3a99c3da401fbd62cc2caa5b96d2',
  'cloud.project.id': '54fadb412c4e40cdbaed9335e4c35a9e',
} as FaultEvent;

const selEvent = {
  '@timestamp': '2019-03-12T00:01:14.000Z',
  'event.id': 'y6Ki_lG1CdczmcYJCBJtW7',
  'event.dataset': 'bmc.sel',
  'event.kind': 'event',
  'event.severity': 4,
  'event.original':
    '   3 | 03/12/2019 | 00:01:14 | Physical Security Chassis Intru | General Chassis intrusion () | Asserted',
  message: 'Physical Security Chassis Intru: General Chassis intrusion',
  'hw.type': 'enclosure',
  'event.category': ['host'],
  'bmc.sel.record_id': '3',
  'bmc.sel.sensor_type': 'Physical Security',
  'dpu.port': 'p1',
  'dpu.port.rx_bytes': 918275145,
} as FaultEvent;

/** Event keys: one of `roots`, then `minSegments` to 3 more segments, joined by dots. */
function dottedKey(roots: string[], segment: fc.Arbitrary<string>, minSegments: number) {
  return fc
    .tuple(fc.constantFrom(...roots), fc.array(segment, { minLength: minSegments, maxLength: 3 }))
    .map(([root, rest]) => [root, ...rest].join('.'));
}

describe('toDocument', () => {
  it('nests ECS keys along their paths, one object per prefix wherever its keys sit in the event', () => {
    const doc = JSON.parse(JSON.stringify(toDocument(osloEvent)));
    expect(doc).toEqual({
      '@timestamp': '2017-05-16T00:00:01.551Z',
      event: {
        id: 'XnoM-e0ZiDFflXfzVkyJbR',
        dataset: 'openstack.log',
        kind: 'event',
        severity: 6,
        original: osloEvent['event.original'],
        module: 'openstack-log',
      },
      message: osloEvent.message,
      host: { name: 'compute-0' },
      log: {
        level: 'INFO',
        logger: 'nova.osapi_compute.wsgi.server',
        file: { path: osloEvent['log.file.path'] },
      },
      process: { pid: 25746 },
      cloud: { provider: 'openstack', project: { id: '54fadb412c4e40cdbaed9335e4c35a9e' } },
      service: { name: 'nova-api' },
      labels: { request_id: 'req-55db2d8d-cdb7-4b4b-993b-429be84c0c3e' },
      user: { id: '113d3a99c3da401fbd62cc2caa5b96d2' },
    });
  });

  it('keeps the rest of a source-specific key as one field name under its root (subobjects: false)', () => {
    const doc = JSON.parse(JSON.stringify(toDocument(selEvent)));
    expect(doc.bmc).toEqual({ 'sel.record_id': '3', 'sel.sensor_type': 'Physical Security' });
    // dpu.port and dpu.port.rx_bytes coexist, as the mapping's subobjects: false allows.
    expect(doc.dpu).toEqual({ port: 'p1', 'port.rx_bytes': 918275145 });
    expect(doc.event.category).toEqual(['host']);
    expect(doc.hw).toEqual({ type: 'enclosure' });
  });

  it('sends an event whose keys collide flat, as before, so no value is lost', () => {
    for (const extra of [
      { 'labels.a': 'leaf', 'labels.a.b': 'under' },
      { 'labels.a.b': 'under', 'labels.a': 'leaf' },
      { 'dpu.x': 1, dpu: 'p1' },
    ]) {
      const event = { ...osloEvent, ...extra } as FaultEvent;
      expect(JSON.stringify(toDocument(event))).toBe(JSON.stringify(event));
      expect(documentJson(event)).toBe(JSON.stringify(event));
    }
  });

  it('treats __proto__ as a plain field name, kept flat', () => {
    const event = { ...osloEvent } as Record<string, unknown>;
    event['labels.__proto__'] = 'x';
    // A top-level `__proto__` holding an object: assigned, it would become the document's prototype.
    Object.defineProperty(event, '__proto__', { value: { polluted: true }, enumerable: true });
    const made = toDocument(event as unknown as FaultEvent);
    // Defined as fields, not assigned: the document's prototype is untouched.
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
    const doc = JSON.parse(JSON.stringify(made));
    expect(doc['labels.__proto__']).toBe('x');
    expect(doc.labels).toEqual({ request_id: osloEvent['labels.request_id'] });
    expect(fromDocument(doc)['labels.__proto__' as never]).toBe('x');
    expect(Object.hasOwn(made, '__proto__')).toBe(true);
    expect((made as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves keys without an object path (leading, trailing or double dots) as they are', () => {
    const event = { ...osloEvent, 'labels..x': 1, 'labels.y.': 2, '.z': 3 } as FaultEvent;
    const doc = toDocument(event) as Record<string, unknown>;
    expect(doc['labels..x']).toBe(1);
    expect(doc['labels.y.']).toBe(2);
    expect(doc['.z']).toBe(3);
  });

  it('drops undefined values, as JSON.stringify of the flat event did', () => {
    const event = { ...osloEvent, 'host.ip': undefined } as FaultEvent;
    expect(JSON.stringify(toDocument(event))).not.toContain('"ip"');
  });
});

describe('fromDocument', () => {
  it('reads the nested document back into the flat event', () => {
    for (const e of [osloEvent, selEvent]) {
      expect(fromDocument(JSON.parse(JSON.stringify(toDocument(e))))).toEqual(e);
    }
  });

  it('reads documents stored flat (before the nested form) unchanged', () => {
    expect(fromDocument(JSON.parse(JSON.stringify(osloEvent)))).toEqual(osloEvent);
  });

  it('round-trips any event whose values are scalars or arrays of scalars', () => {
    const key = dottedKey(
      ['event', 'host', 'log', 'labels', 'bmc', 'dpu', 'network', 'cloud'],
      fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/),
      1,
    );
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 12 }), (fields) => {
        // Keys where one is a path prefix of another cannot both be stored (Elasticsearch refuses
        // such a document whatever its form); leave them to the collision test above.
        const keys = Object.keys(fields);
        fc.pre(!keys.some((a) => keys.some((b) => b.startsWith(`${a}.`))));
        const event = { ...osloEvent, ...fields } as FaultEvent;
        expect(fromDocument(JSON.parse(JSON.stringify(toDocument(event))))).toEqual(
          JSON.parse(JSON.stringify(event)),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('documentJson', () => {
  it('writes exactly JSON.stringify(toDocument(event)), whatever the shape of the event', () => {
    const key = dottedKey(
      ['event', 'host', 'log', 'labels', 'bmc', 'dpu', 'x', ''],
      fc.oneof(
        fc.stringMatching(/^[a-z_][a-z0-9_]{0,4}$/),
        fc.constantFrom('0', '7', '__proto__', 'a"b', 'é', ''),
      ),
      0,
    );
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 2 }),
    );
    const events = fc.array(fc.dictionary(key, value, { maxKeys: 10 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(events, (list) => {
        // Several events, some of one shape, so plans are both made and reused.
        for (const fields of [...list, ...list]) {
          const event = { ...osloEvent } as Record<string, unknown>;
          for (const [k, v] of Object.entries(fields)) {
            Object.defineProperty(event, k, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
          expect(documentJson(event as unknown as FaultEvent)).toBe(
            JSON.stringify(toDocument(event as unknown as FaultEvent)),
          );
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reuses one plan per shape and writes the values of each event', () => {
    const a = documentJson(osloEvent);
    const b = documentJson({ ...osloEvent, message: 'other "quoted" text', 'process.pid': 7 });
    expect(JSON.parse(a).message).toBe(osloEvent.message);
    expect(JSON.parse(b)).toMatchObject({ message: 'other "quoted" text', process: { pid: 7 } });
    expect(JSON.parse(b).log.file.path).toBe(osloEvent['log.file.path']);
  });
});
