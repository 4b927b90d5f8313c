export { startPipeline, DEMO_WRITE_KEY, DEMO_APP_ID, STREAMS, type Pipeline, type PipelineOptions } from './pipeline';
export { createWebApp, startWebServer } from './web-server';
export { spawnService, type ServiceProcess } from '@eventline/devstack';
export { seedShoppers, type SeedOptions, type SeedResult } from './seed';
