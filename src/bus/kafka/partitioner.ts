import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { KeyPartitioner } from '../types.js';

/**
 * The placement kafkajs's DefaultPartitioner gives a key on a topic of `count` partitions: the Java
 * client's murmur2 of the key's bytes, made positive, modulo the count. The producer uses the same
 * function for keyed records, so a record sent with the partition this returns lands exactly where
 * the same key sent alone would.
 */
export function keyPartitioner(topic: string, count: number): KeyPartitioner {
  const place = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
  }));
  // kafkajs's murmur2 works on Long objects: once per host, not once per event.
  const known = new Map<string, number>();
  return (key) => {
    if (key === null) return 0;
    let partition = known.get(key);
    if (partition === undefined) {
      partition = place({ topic, partitionMetadata, message: { key, value: null } });
      if (known.size >= 100_000) known.clear();
      known.set(key, partition);
    }
    return partition;
  };
}
