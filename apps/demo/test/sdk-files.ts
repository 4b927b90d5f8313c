import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The SDK's `<script>` bundle as built (`@eventline/sdk`), which the test pages serve at `/sdk.js`. */
export const IIFE = readFileSync(require.resolve('@eventline/sdk/eventline.iife.js'), 'utf8');

/** The script-tag snippet, loading the SDK from `/sdk.js`. */
export const SNIPPET = readFileSync(require.resolve('@eventline/sdk/snippet.min.js'), 'utf8').replace('SDK_URL', '/sdk.js');
