import { deadLetterTopicFor, topicFor } from '../bus/types.js';
import { listSources } from '../sources/registry.js';

/** The raw topics of every registered source (one per dataset), as the edge publishes and the pipeline reads them. */
export function telemetryTopics(prefix?: string): string[] {
  return [...new Set(listSources().map((s) => topicFor(s.dataset, prefix)))];
}

/** Every topic a deployment needs: the telemetry topics and the dead-letter topic. */
export function allTopics(prefix?: string): string[] {
  return [...telemetryTopics(prefix), deadLetterTopicFor(prefix)];
}
