import { createReadStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { createBus } from '../adapters.js';
import type { Config } from '../config/load.js';
import { IngestPublisher, type PublishReport } from '../ingest/publisher.js';
import type { Logger } from '../shared/logger.js';
import { frameBytes } from '../sources/framing.js';
import { getSource } from '../sources/registry.js';
import { type Frame, isSourceId, SOURCE_IDS } from '../sources/types.js';

/**
 * `faultline replay`: pushes a file through the running pipeline by appending its raw records to the
 * configured bus (Kafka, or the embedded log in FAULTLINE_DATA_DIR that a running `serve` consumes).
 * Event ids are deterministic, so replaying a file twice stores nothing twice.
 */
export async function replayCommand(options: {
  config: Readonly<Config>;
  logger: Logger;
  source: string;
  file: string;
  host?: string;
  progress: boolean;
}): Promise<PublishReport> {
  if (!isSourceId(options.source))
    throw new Error(`unknown source ${options.source}; one of: ${SOURCE_IDS.join(', ')}`);
  const source = getSource(options.source);
  if (source === undefined) throw new Error(`source ${options.source} has no decoder yet`);
  const size = statSync(options.file).size;
  const bus = await createBus(options.config, options.logger);
  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: 'replay {bar} {percentage}% | {value}/{total} MB | {records} records', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(Math.max(1, Math.round(size / 1e6)), 0, { records: 0 });
  try {
    const publisher = new IngestPublisher(bus, undefined, options.config.topicPrefix);
    await bus.ensureTopics([publisher.topicOf(source)]);
    let records = 0;
    const total: PublishReport = { source: source.id, topic: publisher.topicOf(source), accepted: 0 };
    const at = options.host === undefined ? {} : { host: options.host };
    const publish = async (frames: Frame[]) => {
      if (frames.length === 0) return;
      const r = await publisher.publishFrames(source, frames, at);
      total.accepted += r.accepted;
      total.firstLine ??= r.firstLine;
      if (r.lastLine !== undefined) total.lastLine = r.lastLine;
    };
    const input = createReadStream(options.file, { highWaterMark: 1 << 20 });
    for await (const chunk of frameBytes(source.createFramer(), input)) {
      records += chunk.frames.length + chunk.invalidLines.length;
      await publish(chunk.frames);
      // Lines that are not UTF-8 go as their bytes: the pipeline dead-letters them unaltered.
      total.accepted += await publisher.publishBytes(source, chunk.invalidLines, at);
      bar?.update(Math.round(chunk.bytes / 1e6), { records });
    }
    bar?.update(Math.max(1, Math.round(size / 1e6)), { records });
    return total;
  } finally {
    bar?.stop();
    await bus.close();
  }
}
