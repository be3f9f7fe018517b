/** Bus headers the edge sets and the pipeline reads. The value is always the raw record. */
export const H = {
  source: 'faultline-source',
  line: 'faultline-line',
  occurrence: 'faultline-occurrence',
  receivedAt: 'faultline-received-at',
  host: 'faultline-host',
  path: 'faultline-path',
} as const;
