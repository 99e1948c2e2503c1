import { spawn, type ChildProcess } from 'node:child_process';

/** A `plugin-codex serve` child process and the URL it printed. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `node <cli> serve --port 0` with exactly `env` (callers merge process.env when they want it)
 * and resolves with the URL once the registry prints it; rejects with everything it printed when it
 * exits or does not start in time.
 */
export function startServeProcess(cli: string, options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the registry did not start in time:\n${output}`)), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the registry exited with ${code}:\n${output}`));
    });
  });
}

/** A one-hour HS256 JWT for `subject` with `role`, signed with the registry's JWT_SECRET. */
export async function mintTestToken(secret: string, subject: string, role = 'super-admin'): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}
