import { describe, expect, it } from 'vitest';
import { getSource } from '../../../src/sources/registry.js';
import { readFixture } from '../../helpers/fixtures.js';
import { runRedfish } from './harness.js';

const redfish = getSource('redfish')!;

describe('redfish: shapes operators paste', () => {
  it('reads a bare JSON array of LogEntry objects (real DMTF members, as `jq .Members` prints them)', () => {
    const text = readFixture(
      'redfish',
      'log_entries',
      'public-catfish__Systems__1__LogServices__SEL__Entries.json',
    );
    const members = (JSON.parse(text) as { Members: unknown[] }).Members;
    expect(members.length).toBeGreaterThan(0);
    const bare = JSON.stringify(members, null, 2);
    const run = runRedfish(bare);
    expect(run.rejected).toEqual([]);
    expect(run.events).toHaveLength(members.length);
    expect(run.frames.map((f) => f.path)).toEqual(members.map((_, i) => `$[${i}]`));
    // Without the framer, the whole array decodes in one call too.
    const whole = redfish.decode(bare, { host: 'n1' });
    expect(whole.ok && whole.events.length).toBe(members.length);
  });

  it('rejects an empty array with a reason, not "document is not a JSON object"', () => {
    const r = redfish.decode('[]', { host: 'n1' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/empty JSON array/);
  });

  // Generated in the iDRAC layout (test/fixtures/redfish/PROVENANCE.md): no licensed sample exists.
  it('reads iDRAC array-of-Member EntryCode and SensorType', () => {
    const run = runRedfish(readFixture('redfish', 'generated', 'idrac-sel-member-arrays.json'), {
      host: 'r640-7',
    });
    expect(run.rejected).toEqual([]);
    const [low, normal] = run.events;
    expect(low?.['hw.type']).toBe('battery');
    expect(low?.['bmc.redfish.event_direction']).toBe('asserted');
    expect(low?.['bmc.redfish.sensor_type']).toBe('Battery');
    expect(normal?.['hw.type']).toBe('battery');
    expect(normal?.['bmc.redfish.event_direction']).toBe('deasserted');
    expect(normal?.['bmc.redfish.entry_code']).toBe('Deassert');
  });
});
