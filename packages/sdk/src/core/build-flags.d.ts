/**
 * True in the <script> build, false in the npm builds and the tests (tsup and vitest `define`): code
 * under `if (!__SCRIPT_BUILD__)` ships in the npm builds only, where the IIFE's gzip budget does not bind.
 */
declare const __SCRIPT_BUILD__: boolean;
