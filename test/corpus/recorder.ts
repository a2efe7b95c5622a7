// A recording upstream for corpus tests: answers every request with a JSON echo of what it
// received (or a scripted status/body) and keeps the raw request for assertions.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** Raw request target: path and query, exactly as sent. */
  url: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Reply {
  status: number;
  /** Answer only after this many milliseconds (timeouts). */
  delayMs?: number;
  contentType?: string;
  body?: string | Buffer;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  /** What the next answers are (default 200 + JSON echo). */
  reply: ((req: Recorded) => Reply) | undefined;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const recorder: Recorder = { url: '', requests, reply: undefined, close: async () => {} };
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const recorded: Recorded = {
      method: req.method ?? '',
      url,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))],
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    requests.push(recorded);
    const reply = recorder.reply?.(recorded) ?? { status: 200, contentType: 'application/json', body: JSON.stringify({ echo: { method: recorded.method, url } }) };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    res.statusCode = reply.status;
    if (reply.contentType) res.setHeader('content-type', reply.contentType);
    res.end(recorded.method === 'HEAD' ? undefined : reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return recorder;
}
