import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply: a completion text, or an HTTP error (e.g. 400 to refuse json_schema). */
export type ScriptedReply =
  | string
  | { status: number; error: string }
  | ((request: ChatRequest) => string | { status: number; error: string });

/** The body of a chat completion request as the fake received it. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
}

/** A running fake endpoint. */
export interface FakeLlmServer {
  /** `http://127.0.0.1:PORT/v1` — what an OpenAI client takes as baseURL. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: ChatRequest[];
  /** Appends replies; each request takes the next one (the last one repeats when the script runs out). */
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 implementing POST /v1/chat/completions with
 * scripted answers — right, wrong and malformed ones — so the verification and retry paths of the
 * AI fixes run without the internet.
 */
export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const queue: ScriptedReply[] = [];
  const requests: ChatRequest[] = [];
  let last: ScriptedReply = '{"candidates":[]}';
  const server: Server = createServer(async (request, response) => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const parsed = JSON.parse(await body(request)) as ChatRequest;
    requests.push(parsed);
    const scripted = queue.shift() ?? last;
    last = scripted;
    const reply = typeof scripted === 'function' ? scripted(parsed) : scripted;
    if (typeof reply !== 'string') {
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.error, type: 'invalid_request_error' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: parsed.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply } }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
