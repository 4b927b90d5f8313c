// Child process that runs kinesalite on a free loopback port and prints `{"port":N}` once
// listening, so the parent never races for a port. Data lives in DATA_DIR when set (LevelDB).
import kinesalite from 'kinesalite';
import { serveOnLoopbackUntilStopped } from './child-lifecycle';

const server = kinesalite({
  path: process.env.DATA_DIR || undefined,
  createStreamMs: 50,
  deleteStreamMs: 50,
  updateStreamMs: 50,
  shardLimit: 50,
});

serveOnLoopbackUntilStopped(server, Number(process.env.PORT ?? 0));
