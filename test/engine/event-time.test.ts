import { describe, expect, it } from 'vitest';
import { eventTime } from '../../src/engine/event-time.js';
import { rng } from './helpers.js';

describe('eventTime', () => {
  it('reads @timestamp exactly as Date.parse does', () => {
    const edge = [
      '2026-02-28T23:59:59.999Z',
      '2026-02-30T00:00:00Z',
      '2024-02-29T12:00:00.000Z',
      '2026-01-01T24:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00+01:00',
      '0000-01-01T00:00:00.000Z',
      '0099-05-01T00:00:00.000Z',
      '1600-03-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-1a-01T00:00:00.000Z',
      'not a time',
      '',
    ];
    for (const text of edge) expect(Object.is(eventTime(text), Date.parse(text)), text).toBe(true);
    const random = rng(3);
    for (let i = 0; i < 20_000; i++) {
      const iso = new Date(Math.floor(random() * 3e14) - 6.2e13).toISOString();
      expect(eventTime(iso)).toBe(Date.parse(iso));
      const seconds = iso.replace(/\.\d{3}Z$/, 'Z');
      expect(eventTime(seconds)).toBe(Date.parse(seconds));
    }
  });
});
