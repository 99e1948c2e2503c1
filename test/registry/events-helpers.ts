import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryEvent, WebhookPayload } from '../../protocol/events-api';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A received SSE message. */
export interface SseMessage {
  id?: string;
  event: RegistryEvent;
  receivedAt: number;
}

/** A minimal Server-Sent Events client over node:http (the registry stream needs an Authorization header). */
export interface SseClient {
  messages: SseMessage[];
  /** Resolves once the response headers arrived (the subscription is registered by then). */
  opened: Promise<{ status: number; contentType: string | undefined }>;
  /** Waits for a message matching `predicate`. */
  next(predicate: (event: RegistryEvent) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** True once the server ended the stream. */
  ended(): boolean;
  close(): void;
}

/** Opens `GET {baseUrl}{path}` as an event stream. */
export function openSse(baseUrl: string, path: string, headers: Record<string, string>): SseClient {
  const messages: SseMessage[] = [];
  let ended = false;
  let buffer = '';
  let resolveOpened!: (value: { status: number; contentType: string | undefined }) => void;
  let rejectOpened!: (error: Error) => void;
  const opened = new Promise<{ status: number; contentType: string | undefined }>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  const url = new URL(path, baseUrl);
  const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
    resolveOpened({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        let id: string | undefined;
        const data: string[] = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) messages.push({ id, event: JSON.parse(data.join('\n')) as RegistryEvent, receivedAt: Date.now() });
      }
    });
    res.on('end', () => {
      ended = true;
    });
    res.on('error', () => {
      ended = true;
    });
  });
  req.on('error', (error) => {
    ended = true;
    rejectOpened(error);
  });
  req.end();
  return {
    messages,
    opened,
    next: (predicate, timeoutMs = 5_000) => waitFor('an SSE message', () => messages.find((message) => predicate(message.event)), timeoutMs, 5),
    ended: () => ended,
    close: () => req.destroy(),
  };
}

/** One request a webhook receiver got. */
export interface ReceivedDelivery {
  deliveryId: string;
  eventType: string;
  payload: WebhookPayload;
  signatureValid: boolean;
  receivedAt: number;
  answered: number;
}

/** Checks an `X-Codex-Signature` header the way a receiver should: HMAC over `${t}.${body}`, constant-time, recent. */
export function verifySignature(secret: string, header: string | undefined, body: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=') as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A webhook receiver on 127.0.0.1 that records every request and answers as `respond` says. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Set after creating the webhook (the registry returns the secret once). */
  secret: string;
  /** Decides the answer: an HTTP status, optionally after a delay. */
  respond: (delivery: ReceivedDelivery) => { status: number; delayMs?: number };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    secret: '',
    respond: () => ({ status: 204 }),
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const payload = JSON.parse(body) as WebhookPayload;
      const delivery: ReceivedDelivery = {
        deliveryId: String(req.headers['x-codex-delivery']),
        eventType: String(req.headers['x-codex-event']),
        payload,
        signatureValid: verifySignature(receiver.secret, req.headers['x-codex-signature'] as string | undefined, body),
        receivedAt: Date.now(),
        answered: 0,
      };
      const answer = receiver.respond(delivery);
      receiver.received.push(delivery);
      setTimeout(() => {
        delivery.answered = answer.status;
        res.writeHead(answer.status).end();
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/codex`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
