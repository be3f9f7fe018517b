import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import type { OutgoingMessage } from '../../src/bus/types.js';
import type { FleetRepository } from '../../src/fleet/fleet-repository.js';
import { TopologyIndex } from '../../src/fleet/topology-index.js';
import { decodeEventsRecord } from '../../src/ingest/events-record.js';
import { packFrames } from '../../src/ingest/packing.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { TemplateTagger } from '../../src/logmine/template-tagger.js';
import { createLogger } from '../../src/shared/logger.js';
import { SqliteEventStore } from '../../src/store/sqlite/event-store.js';
import { readFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/runtime.js';
import { asDelivered } from './delivered.js';

const OPENSTACK = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split(/\r?\n/).slice(0, 300);

/**
 * Ingest has one path (the document fast path was removed, issue 16): whatever `enrich` adds, the
 * store keeps and the engine's topic carries, event for event.
 */
describe('IngestPipeline with enrichment', () => {
  it('stores and publishes for the engine the same enriched events: lessee, lease, rack, log template', async () => {
    const dir = tempDir();
    const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
    const store = new SqliteEventStore(join(dir, 'events.db'));
    try {
      await store.bootstrap();
      // The fleet's index over a repository stub that knows one node (unit test: no state store).
      const repo = {
        node: async (id: string) => ({ id, resourceClass: 'bm', rack: 'rack-1' }),
        dpu: async () => undefined,
        segments: async () => [],
        components: async () => [],
      } as unknown as FleetRepository;
      const fleet = new TopologyIndex(repo);
      const at = '2017-01-01T00:00:00.000Z';
      await fleet.apply({ type: 'node.create', at, node_id: 'compute-3' });
      await fleet.apply({
        type: 'lease.start',
        at,
        node_id: 'compute-3',
        lease_id: 'lease-1',
        tenant_id: 'tenant-a',
        start: at,
      });
      const tagger = new TemplateTagger();
      const published: OutgoingMessage[] = [];
      const spy = Object.assign(Object.create(bus) as EmbeddedBus, {
        publish: async (topic: string, records: OutgoingMessage[]) => {
          if (topic === 'faultline.events') published.push(...records);
          return bus.publish(topic, records);
        },
      });
      const pipeline = new IngestPipeline({
        bus: spy,
        store,
        logger: createLogger('silent'),
        group: 'g',
        topics: ['faultline.openstack.log'],
        enrich: async (events) => tagger.enrich(await fleet.enrich(events)),
        eventsTopic: 'faultline.events',
      });
      const frames = OPENSTACK.map((payload, i) => ({ payload, line: i + 1 }));
      await pipeline.handle(
        packFrames(frames).map((r, i) => ({
          topic: 'faultline.openstack.log',
          partition: 0,
          offset: String(i),
          key: 'compute-3',
          value: Buffer.from(r.value),
          headers: r.headers,
          timestamp: Date.parse('2017-05-16T00:00:00Z'),
        })),
      );
      const stored = (await store.search({ size: 1000 })).events;
      expect(stored).toHaveLength(OPENSTACK.length);
      // One host, one partition: the slice travels as one record.
      expect(published).toHaveLength(1);
      expect(published[0]!.key).toBe('compute-3');
      const carried = published.flatMap((r) => {
        const decoded = decodeEventsRecord(asDelivered(r));
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.events;
      });
      expect(carried).toHaveLength(OPENSTACK.length);
      const byId = new Map(carried.map((e) => [e['event.id'], e]));
      for (const e of stored) {
        expect(e).toMatchObject({
          'host.name': 'compute-3',
          'cloud.account.id': 'tenant-a',
          'labels.lease_id': 'lease-1',
          'labels.rack': 'rack-1',
        });
        expect(e['log.template.id']).toMatch(/\S/);
        // The store adds only when it took the event in.
        const { 'event.ingested': _ingested, ...kept } = e;
        expect(kept).toEqual(byId.get(e['event.id']));
      }
      // Lines of one logging statement share a template.
      expect(new Set(stored.map((e) => e['log.template.id'])).size).toBeLessThan(OPENSTACK.length / 4);
    } finally {
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
