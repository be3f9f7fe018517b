import { esUrl, uniqueName } from '../helpers/infra.js';
import { logAnalysisScenarios } from './log-analysis.scenarios.js';

// The same scenarios against the real Elasticsearch (data streams of a namespace of their own).
logAnalysisScenarios('elasticsearch', () => ({ esUrl: esUrl(), esNamespace: uniqueName('logs') }));
