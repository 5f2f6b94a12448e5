import { AddressInfo, createServer } from 'net';

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers started by integration tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as AddressInfo; srv.close(() => resolve(port)); });
  });
}
