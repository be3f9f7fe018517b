import { describe, expect, it } from 'vitest';
import { syslogSource } from '../../../src/sources/host/syslog/index.js';
import { readFixture } from '../../helpers/fixtures.js';

function at(line: string, receivedAt: string) {
  const r = syslogSource.decode(line, { host: 'n1', receivedAt });
  if (!r.ok) throw new Error(r.reason);
  return r.events[0]!;
}

// The first line of Loghub's Linux_2k.log (real, test/fixtures/loghub/PROVENANCE.md): no year.
const LINUX_LINE = readFixture('loghub', 'Linux', 'Linux_2k.log').split('\n')[0]!;

describe('syslog year inference: the most recent date not after the receive time', () => {
  it('puts a line dated a few days after the receive time in the previous year', () => {
    // Received on 20 Dec 2026: a "Dec 25" line cannot be from five days in the future.
    const e = at('Dec 25 10:00:00 node7 kernel: EDAC MC0: 1 CE error', '2026-12-20T08:00:00Z');
    expect(e['@timestamp']).toBe('2025-12-25T10:00:00.000Z');
    expect(e['syslog.time_source']).toBe('year_inferred');
  });

  it('puts Feb 29 in the last leap year before the receive time', () => {
    const e = at('Feb 29 12:00:00 node7 sshd[1]: session opened', '2027-03-01T00:00:00Z');
    expect(e['@timestamp']).toBe('2024-02-29T12:00:00.000Z');
  });

  it('keeps the receive year for a line just before it, and allows a day of clock skew', () => {
    expect(at(LINUX_LINE, '2005-06-14T16:00:00Z')['@timestamp']).toBe('2005-06-14T15:16:01.000Z');
    expect(at(LINUX_LINE, '2005-06-14T05:00:00Z')['@timestamp']).toBe('2005-06-14T15:16:01.000Z');
    expect(at(LINUX_LINE, '2005-06-12T05:00:00Z')['@timestamp']).toBe('2004-06-14T15:16:01.000Z');
  });

  it('does not flag lines that carry their own year', () => {
    const e = at('2024-02-29T12:00:00Z node7 sshd[1]: session opened', '2027-03-01T00:00:00Z');
    expect(e['syslog.time_source']).toBeUndefined();
  });
});
