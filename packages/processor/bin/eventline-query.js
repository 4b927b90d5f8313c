#!/usr/bin/env node
// eventline-query "<sql>": SQL over the lake at LAKE_DIR (default ./.data/lake).
import '../dist/query-cli.js';
