import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RegistryApp, RegistryServices } from '../app';
import { createInstallationsRepository } from '../db/installations-repository';
import { createTargetsRepository } from '../db/targets-repository';
import { CodexError } from '../errors';
import { registryVersion } from '../services/lifecycle/plugin-checks';
import type { RuntimeService } from '../services/runtime/runtime-service';

/**
 * The MCP name of a plugin's tool: `<scope>_<name>__<tool>` with every character outside
 * `[A-Za-z0-9_-]` replaced by `_` (`@codex/text-stats` + `analyze` → `codex_text-stats__analyze`);
 * names over 64 characters keep a prefix and a hash of the full name.
 */
export function mcpToolName(pluginId: string, tool: string): string {
  const name = `${pluginId.replace(/^@/, '').replace(/[^A-Za-z0-9_-]/g, '_')}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(`${pluginId}#${tool}`).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

interface ExposedTool {
  pluginId: string;
  tool: string;
  definition: Tool;
}

/** The tools of the active installations of a target, by MCP name. */
async function exposedTools(services: RegistryServices, runtime: RuntimeService, targetId: string): Promise<Map<string, ExposedTool>> {
  const tools = new Map<string, ExposedTool>();
  const rows = await createInstallationsRepository(services.database.db).listByTarget(targetId);
  for (const row of rows) {
    if (row.status !== 'active') continue;
    const loaded = await runtime.loadVersion(row.pluginId, row.version).catch(() => undefined);
    for (const tool of loaded?.manifest.tools ?? []) {
      const name = mcpToolName(row.pluginId, tool.name);
      const schema = tool.inputSchema;
      tools.set(name, {
        pluginId: row.pluginId, tool: tool.name,
        definition: {
          name,
          title: `${loaded!.manifest.title}: ${tool.name}`,
          description: `${tool.description} (${row.pluginId}@${row.version})`,
          inputSchema: (schema.type === 'object' ? schema : { type: 'object', properties: {} }) as Tool['inputSchema'],
          outputSchema: tool.outputSchema.type === 'object' ? tool.outputSchema as Tool['outputSchema'] : undefined,
        },
      });
    }
  }
  return tools;
}

/** An MCP server (one per request: stateless) exposing the tools installed in `targetId`. */
function mcpServer(services: RegistryServices, runtime: RuntimeService, targetId: string, actor: string): Server {
  const server = new Server({ name: 'plugin-codex', version: registryVersion() }, {
    capabilities: { tools: {} },
    instructions: `Tools of the plugins installed in the Plugin Codex target "${targetId}". Each runs in the registry's sandbox with the permissions granted at install.`,
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...(await exposedTools(services, runtime, targetId)).values()].map((tool) => tool.definition) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tools = await exposedTools(services, runtime, targetId);
    const found = tools.get(request.params.name);
    if (!found) throw new McpError(ErrorCode.InvalidParams, `there is no tool "${request.params.name}" in target ${targetId}; tools/list names them`);
    const outcome = await runtime.invokeTool(runtime.databaseScope(targetId), { pluginId: found.pluginId, tool: found.tool, input: request.params.arguments ?? {}, source: 'mcp', actor });
    if (!outcome.ok) {
      // The caller's mistakes are protocol errors; the plugin's failures are tool results with isError.
      if (outcome.error.code === 'INVALID_INPUT') throw new McpError(ErrorCode.InvalidParams, outcome.error.message, { field: outcome.error.field });
      return { isError: true, content: [{ type: 'text' as const, text: `${outcome.error.code}: ${outcome.error.message}` }] };
    }
    const structured = outcome.output !== null && typeof outcome.output === 'object' && !Array.isArray(outcome.output) ? outcome.output as Record<string, unknown> : undefined;
    return {
      content: [{ type: 'text' as const, text: JSON.stringify(outcome.output) }],
      ...(structured && found.definition.outputSchema ? { structuredContent: structured } : {}),
    };
  });
  return server;
}

/**
 * The MCP gateway: `/mcp/:target` speaks Streamable HTTP (stateless: each POST carries a complete
 * exchange, so any registry instance answers it; GET and DELETE answer 405 as the SDK does
 * without sessions). Authentication is the registry's Bearer token, checked before the handler.
 */
export function registerMcpRoutes(app: RegistryApp, services: RegistryServices): void {
  const targets = createTargetsRepository(services.database.db);
  const params = Type.Object({ target: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }) });

  for (const method of ['POST', 'GET', 'DELETE'] as const) {
    app.route({
      method, url: '/mcp/:target',
      schema: { tags: ['mcp'], summary: 'MCP (Streamable HTTP) exposing the tools installed in a target', params },
      handler: async (request, reply) => {
        if (!await targets.get(request.params.target)) {
          throw new CodexError('CODEX_ERR_TARGET_NOT_FOUND', `there is no install target "${request.params.target}"`, { target: request.params.target }, 404);
        }
        const server = mcpServer(services, services.runtime, request.params.target, request.principal!.userId);
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await server.connect(transport);
        reply.hijack();
        reply.raw.on('close', () => {
          void transport.close();
          void server.close();
        });
        try {
          await transport.handleRequest(request.raw, reply.raw, request.body);
        } catch (error) {
          // The reply is hijacked: Fastify's error handler cannot answer any more, so answer here.
          request.log.error({ err: error }, 'MCP request failed');
          if (!reply.raw.headersSent) {
            reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.InternalError, message: `an internal error occurred; the registry log has the details under request id ${request.id}` }, id: null }));
          } else {
            reply.raw.end();
          }
        }
      },
    });
  }
}
