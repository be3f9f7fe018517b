import { logAnalysisScenarios } from './log-analysis.scenarios.js';

logAnalysisScenarios('embedded');
