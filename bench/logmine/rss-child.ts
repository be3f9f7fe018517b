/**
 * Peak memory of the miner on a stream (bench/logmine): mines `lines` messages cycling through the
 * sample it reads as JSON on stdin (with new ids in each round when `fresh`), holding nothing but the miner, and prints its peak RSS in KiB.
 * Run by run.ts in a process of its own, so the figure is the miner's and nothing else's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshen } from './fresh-ids.js';

const { contents, lines, fresh } = JSON.parse(readFileSync(0, 'utf8')) as {
  contents: string[];
  lines: number;
  fresh?: boolean;
};
const file = resolve(import.meta.dirname, '..', '..', 'dist', 'logmine', 'miner.js');
const { TemplateMiner } = (await import(
  pathToFileURL(file).href
)) as typeof import('../../src/logmine/miner.js');
const miner = new TemplateMiner();
for (let i = 0; i < lines; i++) {
  const line = contents[i % contents.length] as string;
  miner.add(fresh === true && i >= contents.length ? freshen(line, i) : line);
}
process.stdout.write(
  `${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, templates: miner.size })}\n`,
);
