#!/usr/bin/env node
// eventline-catalog --location s3://…: the Athena DDL or Glue tables for the lake.
import '../dist/catalog-cli.js';
