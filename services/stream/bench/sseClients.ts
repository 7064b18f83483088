/**
 * A process of raw SSE subscribers for the fan-out benchmark (one machine's worth of clients; the benchmark runs
 * several so that one client event loop does not queue the others' receipts). IPC protocol: argv `<port> <path>
 * <count>`; sends `{ ready: true }` once every stream got its first event; on `{ done: true }` sends
 * `{ received: [seq, epochMs][] }` and exits.
 */
import net from 'node:net';

const [port, path, count] = process.argv.slice(2);
const received: [number, number][] = [];
const PATTERN = /"progress_percentage": (\d+)\.0/g;
let open = 0;

function subscribe(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    s.setEncoding('utf8');
    let first = true;
    let tail = '';
    s.on('error', reject);
    s.on('data', (chunk: string) => {
      const at = performance.timeOrigin + performance.now();
      if (first) {
        if (!chunk.includes('\nevent: ')) return;
        first = false;
        return resolve();
      }
      // an event may arrive split over two reads: parse complete events only
      const text = tail + chunk;
      const end = text.lastIndexOf('\n\n');
      if (end < 0) return void (tail = text);
      tail = text.slice(end + 2);
      for (const m of text.slice(0, end + 2).matchAll(PATTERN)) received.push([Number(m[1]), at]);
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < Number(count)) {
      next++;
      await subscribe();
      open++;
    }
  }),
);
process.send!({ ready: true, open });
process.on('message', (m: { done?: boolean }) => {
  if (m.done) process.send!({ received }, () => process.exit(0));
});
