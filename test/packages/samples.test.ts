import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleMatches, withoutRequired, type ResolvedPluginManifest } from '../../protocol/plugin-manifest.js';
import type { PluginContext, PluginModule } from '../../protocol/plugin-runtime.js';
import { packPluginDirectory, readPluginPackage, type PluginPackage } from '../../server/registry/packages/plugin-package.js';
import { findConfusable } from '../../server/registry/packages/confusable-names.js';
import { matchGrant } from '../../server/registry/sandbox/network-policy.js';
import { sampleDirectories, WEATHER_SAMPLE_MOCK_PORT } from '../../samples/index.js';

const packages = new Map<string, PluginPackage>();
const modules = new Map<string, PluginModule>();
let weatherApi: Server;
let weatherBaseUrl = '';
const weatherRequests: string[] = [];

beforeAll(async () => {
  for (const dir of sampleDirectories()) {
    const read = await readPluginPackage(await packPluginDirectory(dir));
    packages.set(dir, read);
    modules.set(dir, (await import(pathToFileURL(join(dir, read.manifest.entry)).href) as { default: PluginModule }).default);
  }
  // The local stand-in for api.open-meteo.com that the weather sample's tests run against.
  weatherApi = createServer((request, response) => {
    weatherRequests.push(request.url ?? '');
    if (!request.url?.startsWith('/v1/forecast?')) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ current: { time: '2025-06-01T12:00', temperature_2m: 18.5, wind_speed_10m: 7.2, weather_code: 1 } }));
  });
  // The sample is granted exactly this port; wait a little should another test hold it.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        weatherApi.once('error', reject);
        weatherApi.listen(WEATHER_SAMPLE_MOCK_PORT, '127.0.0.1', () => {
          weatherApi.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  weatherBaseUrl = `http://127.0.0.1:${(weatherApi.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (!weatherApi) return;
  weatherApi.closeAllConnections();
  await new Promise((resolve) => weatherApi.close(resolve));
});

/** Finds the loaded sample for an id (the highest version when there are several). */
function sampleById(id: string): { manifest: ResolvedPluginManifest; module: PluginModule } {
  const found = [...packages.entries()].filter(([, read]) => read.manifest.id === id).sort(([, a], [, b]) => semver.compare(b.manifest.version, a.manifest.version));
  const [dir, read] = found[0] ?? [];
  if (!dir || !read) throw new Error(`no sample ${id}`);
  return { manifest: read.manifest, module: modules.get(dir) as PluginModule };
}

/**
 * A plain-Node stand-in for the sandbox's context, enforcing what the sandbox enforces: fetch only
 * to granted hosts, storage only with the permission, callTool only to declared dependencies.
 */
function contextFor(manifest: ResolvedPluginManifest, config: Record<string, unknown> = {}): PluginContext {
  const store = new Map<string, unknown>();
  const needStorage = () => {
    if (!manifest.permissions.storage) throw new Error(`${manifest.id} has no storage permission`);
  };
  const context: PluginContext = {
    config,
    async fetch(url, init) {
      // The sandbox's own grant matcher: the manifest's hosts are what an install grants.
      if (!matchGrant(new URL(url), manifest.permissions.network ?? []).granted) throw new Error(`${manifest.id} may not fetch from ${new URL(url).host}`);
      const response = await fetch(url, init);
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
    },
    storage: {
      async get(key) { needStorage(); return structuredClone(store.get(key)); },
      async put(key, value) { needStorage(); store.set(key, structuredClone(value)); },
      async list(prefix = '') { needStorage(); return [...store.keys()].filter((key) => key.startsWith(prefix)).sort(); },
      async delete(key) { needStorage(); return store.delete(key); },
    },
    secrets: { async get() { return undefined; } },
    log() {},
    async callTool(pluginId, tool, input) {
      if (!(pluginId in manifest.dependencies)) throw new Error(`${manifest.id} does not depend on ${pluginId}`);
      const dependency = sampleById(pluginId);
      return dependency.module.tools?.[tool]?.(input, contextFor(dependency.manifest));
    },
  };
  return context;
}

function configFor(manifest: ResolvedPluginManifest): Record<string, unknown> {
  return manifest.id === '@codex/weather-lookup' ? { baseUrl: weatherBaseUrl } : {};
}

describe('sample plugins', () => {
  it('are all listed, in dependency order, each version once', () => {
    const order = sampleDirectories().map((dir) => packages.get(dir)?.manifest).map((manifest) => `${manifest?.id}@${manifest?.version}`);
    expect(order).toHaveLength(8);
    expect(new Set(order).size).toBe(8);
    sampleDirectories().forEach((dir, index) => {
      const manifest = packages.get(dir)?.manifest as ResolvedPluginManifest;
      for (const [dependency, range] of Object.entries(manifest.dependencies)) {
        const earlier = sampleDirectories().slice(0, index).map((other) => packages.get(other)?.manifest).filter((other) => other?.id === dependency);
        expect(earlier.some((other) => semver.satisfies(other?.version ?? '', range)), `${manifest.id} needs ${dependency}@${range} before it`).toBe(true);
      }
    });
  });

  it('cover every kind, are namespaced @codex, safe to test, documented and distinct', () => {
    const manifests = [...packages.values()].map((read) => read.manifest);
    expect(new Set(manifests.map((manifest) => manifest.kind))).toEqual(new Set(['tool', 'data-source', 'visual-block', 'micro-app']));
    const ids = [...new Set(manifests.map((manifest) => manifest.id))];
    for (const read of packages.values()) {
      expect(read.manifest.id.startsWith('@codex/')).toBe(true);
      expect(read.manifest.safeToTest).toBe(true);
      expect(read.manifest.examples.length).toBeGreaterThan(0);
      expect(read.files.get('README.md')?.toString()).toMatch(/^# @codex\//);
      expect(findConfusable(read.manifest.id, ids)).toBeUndefined();
    }
  });

  it('packs deterministically', async () => {
    for (const dir of sampleDirectories()) {
      const again = await readPluginPackage(await packPluginDirectory(dir));
      expect(again.integrity).toBe(packages.get(dir)?.integrity);
    }
  });

  it('have well-formed examples: the tool exists, input matches inputSchema, expected fits outputSchema', () => {
    for (const { manifest } of packages.values()) {
      for (const example of manifest.examples) {
        const tool = manifest.tools.find((candidate) => candidate.name === example.tool);
        expect(tool, `${manifest.id}: example tool ${example.tool}`).toBeDefined();
        const ajv = new Ajv({ strict: false });
        addFormats(ajv);
        expect(ajv.validate(tool?.inputSchema ?? {}, example.input), `${manifest.id} ${example.tool} input: ${ajv.errorsText()}`).toBe(true);
        // `expected` is a partial output: it must fit the output schema once nothing is required.
        expect(ajv.validate(withoutRequired(tool?.outputSchema ?? {}) as object, example.expected), `${manifest.id} ${example.tool} expected: ${ajv.errorsText()}`).toBe(true);
      }
    }
  });

  it('export every declared tool and nothing undeclared', () => {
    for (const [dir, read] of packages) {
      expect(Object.keys(modules.get(dir)?.tools ?? {}).sort()).toEqual(read.manifest.tools.map((tool) => tool.name).sort());
    }
  });

  it.each(sampleDirectories().map((dir) => [dir.split('/samples/')[1] as string, dir]))('%s: examples give their expected output and outputs match outputSchema', async (_name, dir) => {
    const { manifest } = packages.get(dir) as PluginPackage;
    const module = modules.get(dir) as PluginModule;
    const context = contextFor(manifest, configFor(manifest));
    for (const example of manifest.examples) {
      const output = await module.tools?.[example.tool]?.(example.input, context);
      expect(exampleMatches(example.expected, output), `${example.tool}(${JSON.stringify(example.input)}) gave ${JSON.stringify(output)}`).toBe(true);
      const ajv = new Ajv({ strict: false });
      addFormats(ajv);
      const schema = manifest.tools.find((tool) => tool.name === example.tool)?.outputSchema ?? {};
      expect(ajv.validate(schema, output), `${example.tool} output: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it('pass their health checks, except flaky-greeter 1.1.0 which fails with a clear error', async () => {
    for (const [dir, read] of packages) {
      const health = modules.get(dir)?.healthCheck?.(contextFor(read.manifest, configFor(read.manifest)));
      if (read.manifest.id === '@codex/flaky-greeter' && read.manifest.version === '1.1.0') {
        await expect(health).rejects.toThrow(/unhealthy on purpose.*Roll back to 1\.0\.0/);
      } else {
        await expect(health).resolves.toEqual({ ok: true });
      }
    }
  });

  it('weather-lookup reaches only the configured base URL, through a granted host', async () => {
    const { manifest, module } = sampleById('@codex/weather-lookup');
    weatherRequests.length = 0;
    const output = await module.tools?.currentWeather?.({ latitude: 1.5, longitude: -2 }, contextFor(manifest, { baseUrl: weatherBaseUrl + '/' }));
    expect(output).toMatchObject({ label: '1.5,-2', temperatureC: 18.5, windSpeedKmh: 7.2, weatherCode: 1, observedAt: '2025-06-01T12:00' });
    expect(weatherRequests).toEqual(['/v1/forecast?latitude=1.5&longitude=-2&current=temperature_2m%2Cwind_speed_10m%2Cweather_code']);
    await expect(module.tools?.currentWeather?.({ latitude: 1, longitude: 1 }, contextFor(manifest, { baseUrl: 'http://localhost:9' }))).rejects.toThrow(/may not fetch from localhost:9/);
    await expect(module.tools?.currentWeather?.({ latitude: 1, longitude: 1 }, contextFor(manifest, { baseUrl: 'http://127.0.0.1:8800' }))).rejects.toThrow(/may not fetch from 127.0.0.1:8800/);
  });

  it('text-summary calls only the plugin it depends on', async () => {
    const { manifest } = sampleById('@codex/text-summary');
    expect(manifest.dependencies).toEqual({ '@codex/text-stats': '^1.0.0' });
    await expect(contextFor(manifest).callTool('@codex/notes-store', 'listNotes', {})).rejects.toThrow(/does not depend/);
  });
});
