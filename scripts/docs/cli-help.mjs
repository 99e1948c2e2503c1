// Prints, as JSON, the `--help` text of each command path given as an argument (words joined by
// spaces, "" for the program itself), running the built CLI (dist/cli.js, what bin/plugin-codex.js
// loads) in this one process: each path imports the bundle afresh under its own URL, with
// process.argv set as `plugin-codex <path> --help` would, stdout captured and process.exit turned
// into an exception, so one Node start serves every command instead of one start per command.
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = pathToFileURL(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))).href;
const exited = Symbol('exited');
const results = {};
const realWrite = process.stdout.write.bind(process.stdout);
const realExit = process.exit;
for (const [index, path] of process.argv.slice(2).entries()) {
  const words = path === '' ? [] : path.split(' ');
  let captured = '';
  process.argv = [process.argv[0], fileURLToPath(bundle), ...words, '--help'];
  process.stdout.write = (chunk) => {
    captured += String(chunk);
    return true;
  };
  process.exit = () => {
    throw exited;
  };
  try {
    await import(`${bundle}?help=${index}`);
  } catch (error) {
    if (error !== exited) {
      process.stdout.write = realWrite;
      throw error;
    }
  } finally {
    process.stdout.write = realWrite;
    process.exit = realExit;
  }
  results[path] = captured;
}
realWrite(JSON.stringify(results));
