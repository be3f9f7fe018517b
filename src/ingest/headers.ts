/**
 * Bus headers the edge sets and the pipeline reads. The value is always the raw record and the key
 * is the node id (the host). `source` and `receivedAt` are read when a producer sets them; the edge
 * itself leaves them to the topic (one topic per source) and to the record timestamp.
 */
export const H = {
  source: 'faultline-source',
  line: 'faultline-line',
  occurrence: 'faultline-occurrence',
  receivedAt: 'faultline-received-at',
  path: 'faultline-path',
} as const;
