/**
 * Bus headers the edge sets and the pipeline reads. The value is the raw record (or several, packed:
 * see src/ingest/packing.ts) and the key is the node id (the host). `source` and `receivedAt` are read when a
 * producer sets them; the edge itself leaves them to the topic (one topic per source) and to the
 * record timestamp.
 */
export const RECORD_HEADERS = {
  source: 'faultline-source',
  line: 'faultline-line',
  occurrence: 'faultline-occurrence',
  receivedAt: 'faultline-received-at',
  path: 'faultline-path',
  /** Present when the record packs several frames: where each ends, see src/ingest/packing.ts. */
  frames: 'faultline-frames',
} as const;
