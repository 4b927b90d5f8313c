/** The real Node entry as a child process: shared with the fuzz harness. */
export { NODE_ENTRY, startIngest } from '../fuzz/ingest-child';
