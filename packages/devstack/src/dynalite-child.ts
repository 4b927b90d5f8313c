// Child process that runs dynalite on a free loopback port and prints `{"port":N}` once
// listening, so the parent never races for a port. Data lives in DATA_DIR when set (LevelDB).
import dynalite from 'dynalite';
import { serveOnLoopbackUntilStopped } from './child-lifecycle';

const server = dynalite({ path: process.env.DATA_DIR || undefined, createTableMs: 50, deleteTableMs: 50, updateTableMs: 50 });

serveOnLoopbackUntilStopped(server, 0);
