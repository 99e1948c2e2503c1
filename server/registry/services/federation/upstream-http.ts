import { CodexError } from '../../errors';

/** The largest body read from another registry (an artifact is at most 10 MiB packed). */
export const MAX_UPSTREAM_BODY_BYTES = 16 * 1024 * 1024;

/** A finished call to another registry, its body read in full (within the time limit). */
export interface RemoteResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  json<T>(): T;
}

/** One call to another registry. */
export interface RemoteCall {
  /** Who the remote is, for error messages: `upstream "acme" (http://...)`. */
  label: string;
  baseUrl: string;
  path: string;
  timeoutMs: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  /** The name of the environment variable holding a bearer token to send. */
  tokenEnv?: string | null;
}

/**
 * The remote did not answer usefully: unreachable, too slow, or a 5xx. Breakers count these; a 4xx
 * is an answer and is returned to the caller instead.
 */
export class RemoteUnavailableError extends CodexError {
  constructor(label: string, reason: string, readonly timedOut: boolean) {
    super(timedOut ? 'CODEX_ERR_UPSTREAM_TIMEOUT' : 'CODEX_ERR_UPSTREAM_UNAVAILABLE', `${label} ${reason}; the local registry keeps serving its own catalogue — retry later or check the remote`, { remote: label }, timedOut ? 504 : 502);
  }
}

/** Reads the bearer token a call is configured with; an unset variable is an error naming it. */
export function tokenFrom(label: string, tokenEnv: string | null | undefined): string | undefined {
  if (!tokenEnv) return undefined;
  const token = process.env[tokenEnv];
  if (!token) throw new CodexError('CODEX_ERR_FEDERATION_TOKEN_MISSING', `${label} is configured to use the token in the environment variable ${tokenEnv}, which is not set in the registry's environment; set it and retry`, { tokenEnv }, 503);
  return token;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * Calls another registry with a hard deadline (AbortSignal.timeout covers connecting, the headers
 * and the whole body), never following redirects (a credential must not leak to another host).
 */
export async function callRemote(call: RemoteCall): Promise<RemoteResponse> {
  const token = tokenFrom(call.label, call.tokenEnv);
  const headers: Record<string, string> = { accept: 'application/json, application/gzip', ...call.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  const signal = AbortSignal.timeout(call.timeoutMs);
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(joinUrl(call.baseUrl, call.path), { method: call.method ?? 'GET', headers, body: call.body === undefined ? undefined : new Uint8Array(call.body), signal, redirect: 'manual' });
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_UPSTREAM_BODY_BYTES) {
      await response.body?.cancel();
      throw new RemoteUnavailableError(call.label, `sent a body of ${declared} bytes, over the ${MAX_UPSTREAM_BODY_BYTES}-byte limit`, false);
    }
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof CodexError) throw error;
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError' || signal.aborted) {
      throw new RemoteUnavailableError(call.label, `did not answer ${call.method ?? 'GET'} ${call.path} within ${call.timeoutMs} ms`, true);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteUnavailableError(call.label, `could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`, false);
  }
  if (body.length > MAX_UPSTREAM_BODY_BYTES) throw new RemoteUnavailableError(call.label, `sent more than ${MAX_UPSTREAM_BODY_BYTES} bytes`, false);
  if (response.status >= 500 || (response.status >= 300 && response.status < 400)) {
    throw new RemoteUnavailableError(call.label, `answered ${call.method ?? 'GET'} ${call.path} with HTTP ${response.status}`, false);
  }
  return {
    status: response.status,
    headers: response.headers,
    body,
    json<T>(): T {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        throw new RemoteUnavailableError(call.label, `answered ${call.path} with a body that is not JSON`, false);
      }
    },
  };
}

/** The error message of a registry's JSON error body, for relaying a refusal. */
export function remoteErrorOf(response: RemoteResponse): { code: string; message: string } {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as { error?: { code?: string; message?: string } };
    return { code: parsed.error?.code ?? `HTTP_${response.status}`, message: parsed.error?.message ?? `HTTP ${response.status}` };
  } catch {
    return { code: `HTTP_${response.status}`, message: `HTTP ${response.status}` };
  }
}
