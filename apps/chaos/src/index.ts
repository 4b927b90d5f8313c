export { runChaos, type ChaosResult } from './run';
export { runCleanup, ChaosRunError } from './cleanup';
export { FULL_PLAN, SHORT_PLAN, type ChaosPlan } from './plan';
export { formatReport } from './report';
export { reconcile, problems, type Reconciliation } from './reconcile';
