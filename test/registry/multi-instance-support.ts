import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';

/** The secret every registry process of a test shares, so one token works on all of them. */
export const SHARED_JWT_SECRET = 'multi-instance-test-secret-0123456789abcdef';

let bundled: Promise<string> | undefined;

/**
 * Bundles the CLI the way scripts/build.mjs does, but into test-artifacts/ so a test never
 * overwrites (or depends on a stale) dist/cli.js. Node resolves its external packages from the
 * project's node_modules and finds migrations/ by walking up to package.json.
 */
export function bundleCli(): Promise<string> {
  bundled ??= (async () => {
    const outfile = resolve('test-artifacts/events-cli/cli.js');
    await build({
      entryPoints: ['cli/main.ts'],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
      banner: { js: "import { createRequire as __codexCreateRequire } from 'node:module'; const require = __codexCreateRequire(import.meta.url);" },
    });
    return outfile;
  })();
  return bundled;
}

/** A `plugin-codex serve` child process. */
export interface RegistryProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (graceful: streams end, deliveries in flight finish) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node <bundle> serve` on an ephemeral port against `databaseUrl` / `schema`. */
export async function startRegistryProcess(cli: string, databaseUrl: string, schema: string): Promise<RegistryProcess> {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      JWT_SECRET: SHARED_JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      PLUGIN_CODEX_DATA_DIR: mkdtempSync(join(tmpdir(), 'plugin-codex-mi-')),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start within 30 s:\n${output}`)), 30_000);
    const check = () => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** An HS256 token the registry processes accept (they share SHARED_JWT_SECRET). */
export async function mintToken(sub: string, role: string): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SHARED_JWT_SECRET));
}
