import { setTimeout as sleep } from 'node:timers/promises';
import { parseDeadLetter } from '../../src/bus/kafka/dead-letter-wire.js';
import { KafkaBus } from '../../src/bus/kafka.js';
import type { BusMessage } from '../../src/bus/types.js';
import { createLogger } from '../../src/shared/logger.js';
import { kafkaBrokers, uniqueName } from '../helpers/infra.js';
import { busConformance } from './bus.conformance.js';

busConformance(
  'Kafka',
  async () => {
    const logger = createLogger(process.env.FAULTLINE_TEST_LOG_LEVEL ?? 'silent');
    const deadLetterTopic = `conf.deadletter.${uniqueName('dl')}`;
    const bus = new KafkaBus({
      brokers: kafkaBrokers(),
      clientId: 'faultline-conformance',
      logger,
      deadLetterTopic,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      retryBackoffMs: { initial: 100, max: 1000 },
    });
    return {
      bus,
      // Reads the whole dead-letter topic with a group of its own, as an operator's tool would.
      readDeadLetters: async () => {
        const group = uniqueName('dlreader');
        const got: BusMessage[] = [];
        const sub = await bus.subscribe({
          group,
          topics: [deadLetterTopic],
          fromBeginning: true,
          onBatch: async (messages) => {
            got.push(...messages);
          },
        });
        try {
          const deadline = Date.now() + 20_000;
          while (Date.now() < deadline) {
            const lag = await bus.lag(group, [deadLetterTopic]);
            if (lag.every((l) => l.lag === 0) && got.length > 0) break;
            await sleep(200);
          }
        } finally {
          await sub.close();
        }
        return got.map(parseDeadLetter);
      },
      close: () => bus.close(),
    };
  },
  { deliveryTimeoutMs: 45_000, quietMs: 2000 },
);
