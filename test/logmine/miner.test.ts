import { describe, expect, it } from 'vitest';
import { loadLoghubSample, TARGET_DATASETS } from '../../bench/logmine/loghub.js';
import { groupingAccuracy } from '../../src/logmine/accuracy.js';
import { maskMessage, maskShape, maskToken } from '../../src/logmine/masking.js';
import { TemplateMiner } from '../../src/logmine/miner.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

describe('template miner on the Loghub samples (one default configuration)', () => {
  for (const name of TARGET_DATASETS) {
    it(`groups ${name} with GA >= 0.95 against the structured ground truth`, () => {
      const sample = loadLoghubSample(FIXTURES_DIR, name);
      const miner = new TemplateMiner();
      const ids = sample.contents.map((c) => miner.add(c).id);
      const score = groupingAccuracy(ids, sample.truth);
      expect(score.lines).toBe(2000);
      expect(score.accuracy).toBeGreaterThanOrEqual(0.95);
    });
  }
});

describe('parameter-heavy messages', () => {
  it('HDFS "BLOCK* ask … to delete" repeated 200 times stays one template', () => {
    const sample = loadLoghubSample(FIXTURES_DIR, 'HDFS');
    const asks = sample.contents.filter((c) => c.startsWith('BLOCK* ask ') && c.includes(' to delete '));
    expect(asks.length).toBeGreaterThan(0);
    const miner = new TemplateMiner();
    const ids = new Set<string>();
    // Each repetition deletes a different, longer list of blocks from another datanode.
    for (let i = 0; i < 200; i++) {
      const base = asks[i % asks.length] as string;
      const extra = Array.from({ length: i % 17 }, (_, k) => `blk_${i * 1000 + k}`).join(' ');
      const line = base.replace(/\d+\.\d+\.\d+\.\d+:\d+/, `10.251.${i % 250}.${(i * 7) % 250}:50010`);
      ids.add(miner.add(extra === '' ? line : `${line} ${extra}`).id);
    }
    expect(ids.size).toBe(1);
    expect(miner.size).toBe(1);
  });
});

describe('masking', () => {
  it('masks numbers, hex, UUIDs, addresses and paths inside tokens, keeping the constant part', () => {
    expect(maskToken('blk_-6952295868487656571')).toBe('blk_<*>');
    expect(maskToken('blk_38865049064139660')).toBe('blk_<*>');
    expect(maskToken('10.251.73.220:50010')).toBe('<*>');
    expect(maskToken('/10.250.19.102:54106')).toBe('/<*>');
    expect(maskToken('3edec1e4-9678-4a3a-bdcc-a145a4ee5e61]')).toBe('<*>]');
    expect(maskToken('req-38101a0b-2096-447d-96ea-a692162415ae')).toBe('req-<*>');
    expect(maskToken('0x7fff1a2b')).toBe('<*>');
    expect(maskToken('HWID=1973)')).toBe('HWID=<*>)');
    expect(maskToken('node-246')).toBe('node-<*>');
    expect(maskToken('alt0')).toBe('alt<*>');
    expect(maskToken("'/udev/vcs2'")).toBe("'<*>'");
    expect(maskToken('[file=/etc/xinetd.d/echo]')).toBe('[file=<*>]');
    expect(maskToken('http://example.org/a/b')).toBe('<*>');
    expect(maskToken('00:1b:21:3c:4d:5e')).toBe('<*>');
    expect(maskToken('succeeded')).toBe('succeeded');
    expect(maskMessage('connection from 1.2.3.4 at Fri Jun 17 07:07:00 2005')).toEqual([
      'connection',
      'from',
      '<*>',
      'at',
      '<*>',
      '<*>',
      '<*>',
      '<*>',
      '<*>',
    ]);
  });
});

describe('values written in several words', () => {
  it('joins a unit, a bound and a restated quantity to their number', () => {
    const shape = 'close, <*> bytes sent, <*> bytes received, lifetime <*>';
    expect(maskShape('close, 1190 bytes (1.16 KB) sent, 815 bytes received, lifetime <1 sec')).toBe(shape);
    expect(maskShape('close, 403 bytes sent, 2933 bytes (2.86 MB) received, lifetime 02:48')).toBe(shape);
    expect(maskShape('flushed 12 entries in 350 ms (35%)')).toBe('flushed <*> entries in <*>');
    // A word after a number that is no unit stays.
    expect(maskShape('retried 3 times')).toBe('retried <*> times');
  });

  it('masks a host name with its port as an address', () => {
    expect(maskToken('proxy.example.org:5070')).toBe('<*>');
    expect(maskToken('(db-1.internal.example:5432)')).toBe('(<*>)');
    expect(maskToken('Foo:12')).toBe('Foo:<*>');
  });

  it('makes a list of like items one parameter, and keeps indexed names of different things apart', () => {
    expect(maskShape('failed to resolve name an14 an15 an16')).toBe('failed to resolve name <*>');
    expect(maskShape('failed to resolve name an14')).toBe('failed to resolve name an<*>');
    const miner = new TemplateMiner();
    const alt = miner.add('link up on network 10.1.0.0 via interface alt0');
    const ee = miner.add('link up on network 10.2.0.0 via interface ee0');
    expect(ee.id).not.toBe(alt.id);
    expect(miner.add('link up on network 10.3.0.0 via interface alt1').id).toBe(alt.id);
  });

  it('keeps a name apart from a token that holds another word', () => {
    const miner = new TemplateMiner();
    const https = miner.add('10.0.0.1:443 open through proxy 10.0.0.9:5070 HTTPS');
    const socks = miner.add('10.0.0.2:22 open through proxy 10.0.0.9:1080 SOCKS5');
    expect(socks.id).not.toBe(https.id);
    expect(miner.add('10.0.0.3:80 open through proxy 10.0.0.9:5070 HTTPS').id).toBe(https.id);
  });
});

describe('template ids', () => {
  it('keep their id while the template generalizes', () => {
    const miner = new TemplateMiner();
    const first = miner.add('session closed for user cyrus');
    expect(first.change).toBe('created');
    const second = miner.add('session closed for user news');
    expect(second.change).toBe('generalized');
    expect(second.id).toBe(first.id);
    expect(second.template).toBe('session closed for user <*>');
    expect(miner.add('session closed for user test').change).toBe('none');
  });

  it('tell state words apart from names', () => {
    const miner = new TemplateMiner();
    const paused = miner.add('[instance: 3edec1e4-9678-4a3a-a21b-a145a4ee5e61] VM Paused (Lifecycle Event)');
    const resumed = miner.add(
      '[instance: 3edec1e4-9678-4a3a-a21b-a145a4ee5e61] VM Resumed (Lifecycle Event)',
    );
    expect(resumed.id).not.toBe(paused.id);
    const root = miner.add('authentication failure; logname= uid=0 euid=0 rhost=1.2.3.4  user=root');
    const guest = miner.add('authentication failure; logname= uid=0 euid=0 rhost=1.2.3.4  user=guest');
    expect(guest.id).not.toBe(root.id);
  });

  it('are the same after a restart from the repository, and replay gives the same ids', async () => {
    const sample = loadLoghubSample(FIXTURES_DIR, 'OpenStack');
    const repository = new MemoryTemplateRepository();
    const before = new TemplateMiner();
    const firstHalf = sample.contents.slice(0, 1000).map((c) => before.add(c).id);
    await repository.save(before.takeChanges(), '2026-01-01T00:00:00Z');

    const restarted = new TemplateMiner();
    restarted.load(await repository.loadAll());
    expect(restarted.size).toBe(before.size);
    const secondHalf = sample.contents.slice(1000).map((c) => restarted.add(c).id);

    const straight = new TemplateMiner();
    const all = sample.contents.map((c) => straight.add(c).id);
    expect([...firstHalf, ...secondHalf]).toEqual(all);
    const replay = new TemplateMiner();
    expect(sample.contents.map((c) => replay.add(c).id)).toEqual(all);
  });
});

describe('bounded memory', () => {
  it('keeps at most maxTemplates templates however many shapes arrive', () => {
    const miner = new TemplateMiner({ maxTemplates: 100, cacheSize: 50 });
    for (let i = 0; i < 5000; i++)
      miner.add(`Event${String.fromCharCode(65 + (i % 26))}x${i.toString(36)}y happened`);
    expect(miner.size).toBeLessThanOrEqual(100);
  });
});
