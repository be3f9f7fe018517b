/**
 * Bus headers the edge sets and the pipeline reads. The value is always the raw record and the key
 * is the node id (the host), so the host needs no header of its own.
 */
export const H = {
  source: 'faultline-source',
  line: 'faultline-line',
  occurrence: 'faultline-occurrence',
  receivedAt: 'faultline-received-at',
  path: 'faultline-path',
} as const;
