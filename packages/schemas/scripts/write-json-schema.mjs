// Writes the JSON Schema files next to the build, so they ship in the package.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/index.js';

const dir = new URL('../dist/json-schema/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(new URL(name, dir), JSON.stringify(schema, null, 2) + '\n');
}
