#!/usr/bin/env node
// eventline-processor: the local consumer (the same as `node dist/node.js`; configured by the environment, see the README).
import '../dist/node.js';
