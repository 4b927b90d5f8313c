#!/usr/bin/env node
// eventline-ingest: the Node server (the same as `node dist/node.js`; configured by the environment, see the README).
import '../dist/node.js';
