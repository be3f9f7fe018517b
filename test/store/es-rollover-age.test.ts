import { describe, expect, it } from 'vitest';
import { autoRolloverAge, parseDuration } from '../../src/store/elasticsearch/retention.js';

describe('rollover age where Faultline applies Elasticsearch retention itself', () => {
  // The thresholds of the data stream lifecycle's `max_age: auto` (RolloverConfiguration in Elasticsearch 8).
  it.each([
    ['12h', '1h'],
    ['1d', '1h'],
    ['7d', '1d'],
    ['14d', '1d'],
    ['30d', '7d'],
    ['90d', '7d'],
    ['365d', '30d'],
  ])('retention %s rolls over after %s', (retention, age) => {
    expect(autoRolloverAge(parseDuration(retention))).toBe(parseDuration(age));
  });
});
