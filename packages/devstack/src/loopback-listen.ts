import net from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * Make every TCP server this process opens listen on 127.0.0.1, whatever host it asks for. For
 * emulators that have no bind-address option (kinesis-local listens on all interfaces): call it
 * before loading them. http/https/tls servers are net.Servers, so one patch covers them all.
 */
export function forceLoopbackListen(): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with the server as `this`
  const listen = net.Server.prototype.listen;
  const patched = function (this: net.Server, ...args: unknown[]): net.Server {
    const [first, ...rest] = args;
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      if (typeof rest[0] === 'string' || rest[0] === undefined || rest[0] === null) rest.shift(); // the asked-for host, if any
      return Reflect.apply(listen, this, [Number(first), LOOPBACK, ...rest]) as net.Server;
    }
    if (first !== null && typeof first === 'object' && 'port' in first) {
      return Reflect.apply(listen, this, [{ ...(first as net.ListenOptions), host: LOOPBACK }, ...rest]) as net.Server;
    }
    return Reflect.apply(listen, this, args) as net.Server; // a Unix socket path or a handle
  };
  net.Server.prototype.listen = patched as typeof listen;
}
