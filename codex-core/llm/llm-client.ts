import OpenAI from 'openai';
import { CANDIDATES_SCHEMA } from './candidate-parser';
import type { ChatMessage } from './fix-prompt';

/** Where the model is and which one to use. */
export interface LlmEndpoint {
  /** An OpenAI-compatible base URL, e.g. `http://127.0.0.1:11434/v1` or `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Milliseconds per request (default 60 s). */
  timeoutMs?: number;
}

/** Asks the model for fix candidates. Injected into the fixer so tests and hosts can replace it. */
export interface FixModel {
  /** Returns the raw text of the model's answer. */
  complete(messages: ChatMessage[], signal?: AbortSignal): Promise<string>;
}

/**
 * A {@link FixModel} on the `openai` client. It asks for structured output (response_format
 * json_schema); an endpoint that refuses that with a 4xx is asked again without it (the prompt
 * allows a unified diff), and remembered as such.
 */
export function createOpenAiFixModel(endpoint: LlmEndpoint): FixModel {
  const client = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey || 'not-needed', maxRetries: 0, timeout: endpoint.timeoutMs ?? 60_000 });
  let structured = true;
  return {
    async complete(messages, signal) {
      if (structured) {
        try {
          const response = await client.chat.completions.create({
            model: endpoint.model,
            messages,
            temperature: 0.2,
            response_format: { type: 'json_schema', json_schema: { name: 'fix_candidates', strict: true, schema: CANDIDATES_SCHEMA as unknown as Record<string, unknown> } },
          }, { signal });
          return response.choices[0]?.message?.content ?? '';
        } catch (error) {
          if (!(error instanceof OpenAI.APIError) || error.status === undefined || error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 429) throw error;
          structured = false;
        }
      }
      const response = await client.chat.completions.create({ model: endpoint.model, messages, temperature: 0.2 }, { signal });
      return response.choices[0]?.message?.content ?? '';
    },
  };
}
