import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** What a stop still waits for. */
export interface OpenCounts {
  open_connections: number;
  /** Requests not answered yet. */
  requests_in_flight: number;
  /** Of those, requests whose body has not fully arrived (a slow or stalled client): nothing of theirs was accepted yet. */
  requests_receiving_body: number;
}

export interface OpenConnections {
  counts(): OpenCounts;
  /**
   * Close every connection that holds no request whose body has arrived: idle keep-alive ones and
   * ones still receiving a body. A request whose body is complete may be writing to Kinesis: its
   * connection stays so the answer reaches the client. Returns what was cut.
   */
  cutWaiting(): { connections: number; requests_receiving_body: number };
}

/** Track the server's connections and the request each one is serving (HTTP/1.1: one at a time). */
export function trackOpenConnections(server: Server): OpenConnections {
  const sockets = new Map<Socket, IncomingMessage | undefined>();
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: { once(event: 'close', listener: () => void): unknown }) => {
    sockets.set(req.socket, req);
    res.once('close', () => {
      if (sockets.get(req.socket) === req) sockets.set(req.socket, undefined);
    });
  });
  const receiving = (req: IncomingMessage | undefined): boolean => req !== undefined && !req.complete;
  return {
    counts() {
      const requests = [...sockets.values()].filter((req) => req !== undefined);
      return { open_connections: sockets.size, requests_in_flight: requests.length, requests_receiving_body: requests.filter(receiving).length };
    },
    cutWaiting() {
      let connections = 0;
      let receivingBody = 0;
      for (const [socket, req] of sockets) {
        if (req !== undefined && !receiving(req)) continue;
        if (receiving(req)) receivingBody += 1;
        connections += 1;
        socket.destroy();
      }
      return { connections, requests_receiving_body: receivingBody };
    },
  };
}
