import { Type } from '@sinclair/typebox';
import { EventsPageSchema, EventsQuerySchema, EventStreamQuerySchema, matchesTypePatterns, parseTypePatterns, type RegistryEvent } from '../../../protocol/events-api';
import type { RegistryApp, RegistryServices } from '../app';
import { CodexError } from '../errors';
import { toRegistryEvent } from '../services/event-stream';

/** Rows a filtered page may examine before it returns what it found (the client continues from nextAfter). */
const SCAN_BUDGET = 10_000;
/** How often an idle stream sends a comment so proxies keep it open. */
const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is disconnected; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

function parsePatterns(types: string | undefined): string[] {
  const patterns = parseTypePatterns(types);
  const bad = patterns.find((pattern) => !/^[a-z*][a-z0-9_.*-]{0,99}$/.test(pattern));
  if (bad !== undefined) throw new CodexError('CODEX_ERR_VALIDATION', `types: "${bad}" is not an event type or pattern (lower-case letters, digits, . _ - and * for any run, e.g. plugin.*)`);
  return patterns;
}

/** The SSE frame of one event: its seq is the id a reconnecting client sends back as Last-Event-ID. */
function sseFrame(event: RegistryEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** `GET /api/events` (catch-up pages) and `GET /api/events/stream` (Server-Sent Events). */
export function registerEventRoutes(app: RegistryApp, services: RegistryServices): void {
  const { events } = services.repos;

  app.get('/api/events', {
    schema: {
      tags: ['events'],
      summary: 'Journal events after a sequence number, oldest first, optionally filtered by type patterns',
      querystring: EventsQuerySchema,
      response: { 200: EventsPageSchema },
    },
  }, async (request) => {
    const patterns = parsePatterns(request.query.types);
    const limit = request.query.limit ?? 100;
    const items: RegistryEvent[] = [];
    let cursor = request.query.after ?? 0;
    let scanned = 0;
    while (items.length < limit && scanned < SCAN_BUDGET) {
      const want = patterns.length === 0 ? limit - items.length : 1000;
      const page = await events.list({ after: cursor, limit: want });
      for (const event of page) {
        cursor = event.seq;
        scanned += 1;
        if (matchesTypePatterns(event.type, patterns)) items.push(toRegistryEvent(event));
        if (items.length === limit) break;
      }
      if (page.length < want) break;
    }
    const head = Math.max(await events.lastSeq(), cursor);
    return { items, nextAfter: cursor, hasMore: cursor < head, head };
  });

  app.get('/api/events/stream', {
    schema: {
      tags: ['events'],
      summary: 'Server-Sent Events: every journal event as it is recorded on any instance; resumable with Last-Event-ID',
      description: 'Each message has `id: <seq>` and `data: <event JSON>`. Reconnect with the `Last-Event-ID` header (browsers do it themselves) to receive every event after it. Without it or `after`, only new events are sent.',
      querystring: EventStreamQuerySchema,
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })) }),
      response: { 200: Type.String({ description: 'text/event-stream' }) },
    },
  }, async (request, reply) => {
    const patterns = parsePatterns(request.query.types);
    const lastEventId = request.headers['last-event-id'];
    const after = lastEventId !== undefined ? Number(lastEventId) : request.query.after;
    // Reading the head first turns an unreachable database into a 503 before the stream opens.
    const head = await services.eventStream.head();

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\n: head ${head}\n\n`);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const subscription = services.eventStream.subscribe(after, patterns, {
      onEvent(event) {
        res.write(sseFrame(event));
        if (res.writableLength > MAX_BUFFERED_BYTES) subscription.close('the client is not reading');
      },
      onClose(reason) {
        clearInterval(heartbeat);
        res.end(`: closed: ${reason}\n\n`);
      },
    });
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      subscription.close();
    });
  });
}
