/**
 * Peak memory of the miner on a stream (bench/logmine): mines `lines` messages cycling through the
 * sample it reads as JSON on stdin, holding nothing but the miner, and prints its peak RSS in KiB.
 * Run by run.ts in a process of its own, so the figure is the miner's and nothing else's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { contents, lines } = JSON.parse(readFileSync(0, 'utf8')) as { contents: string[]; lines: number };
const file = resolve(import.meta.dirname, '..', '..', 'dist', 'logmine', 'miner.js');
const { TemplateMiner } = (await import(
  pathToFileURL(file).href
)) as typeof import('../../src/logmine/miner.js');
const miner = new TemplateMiner();
for (let i = 0; i < lines; i++) miner.add(contents[i % contents.length] as string);
process.stdout.write(
  `${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, templates: miner.size })}\n`,
);
