// docs/SCHEMA.md: the registry's tables as the live catalogue describes them after every migration.
import type { CatalogSnapshot } from '../../server/registry/db/catalog';
import { table } from './render';

/** A foreign key, parsed from its pg_constraint definition (`pg_get_constraintdef`). */
export interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete?: string;
}

/** A question the schema answers, with the SQL that answers it (each is run by test/docs/schema-queries.test.ts). */
export interface ExampleQuery {
  question: string;
  sql: string;
}

/** Example queries for common questions; they name only tables of released migrations. */
export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    question: 'Which plugins are installed in each target, at which version, and are they healthy?',
    sql: `SELECT i.target_id, i.plugin_id, i.version, i.last_known_good_version, i.status, i.health
  FROM installations i
 ORDER BY i.target_id, i.plugin_id;`,
  },
  {
    question: 'What happened last? (the journal, newest first)',
    sql: `SELECT seq, ts, actor, type, subject
  FROM events
 ORDER BY seq DESC
 LIMIT 20;`,
  },
  {
    question: 'Which plugins are the most installed, with their latest version and rating?',
    sql: `SELECT p.id, p.tier, p.latest_version, p.installs_count,
       round(p.rating_sum::numeric / NULLIF(p.rating_count, 0), 2) AS rating
  FROM plugins p
 ORDER BY p.installs_count DESC, p.id
 LIMIT 10;`,
  },
  {
    question: 'Which versions of a plugin exist, and who published them?',
    sql: `SELECT v.plugin_id, v.version, v.status, v.published_by, v.published_at, a.size AS bytes
  FROM plugin_versions v
  JOIN artifacts a ON a.integrity = v.integrity
 WHERE v.plugin_id = '@codex/text-stats'
 ORDER BY v.major DESC, v.minor DESC, v.patch DESC;`,
  },
  {
    question: 'Which lifecycle operations failed or were rolled back, most recent first?',
    sql: `SELECT o.id, o.kind, o.target_id, o.plugin_id, o.from_version, o.to_version, o.status, o.created_at
  FROM operations o
 WHERE o.status <> 'succeeded'
 ORDER BY o.created_at DESC
 LIMIT 20;`,
  },
  {
    question: 'Which webhook deliveries are dead, and why?',
    sql: `SELECT w.url, d.event_seq, d.attempts, d.last_status_code, d.last_error, d.updated_at
  FROM webhook_deliveries d
  JOIN webhooks w ON w.id = d.webhook_id
 WHERE d.status = 'dead'
 ORDER BY d.updated_at DESC;`,
  },
  {
    question: 'Which alerts are still open?',
    sql: `SELECT id, kind, severity, message, created_at
  FROM alerts
 WHERE status = 'open'
 ORDER BY created_at DESC;`,
  },
  {
    question: 'Who has API tokens, with which role, and when do they expire?',
    sql: `SELECT u.id AS user_id, t.name, t.role, t.expires_at, t.last_used_at
  FROM api_tokens t
  JOIN users u ON u.id = t.user_id
 WHERE t.revoked_at IS NULL
 ORDER BY u.id, t.name;`,
  },
];

/** Foreign keys of every table, from the catalogue's constraint definitions. */
export function foreignKeys(catalog: CatalogSnapshot): ForeignKey[] {
  const keys: ForeignKey[] = [];
  for (const tableName of Object.keys(catalog).sort()) {
    const constraints = catalog[tableName]!.constraints;
    for (const name of Object.keys(constraints).sort()) {
      const match = /^FOREIGN KEY \(([^)]*)\) REFERENCES ([\w."]+)\(([^)]*)\)(.*)$/.exec(constraints[name]!);
      if (!match) continue;
      const onDelete = /ON DELETE (CASCADE|SET NULL|SET DEFAULT|RESTRICT)/.exec(match[4] ?? '')?.[1];
      keys.push({
        table: tableName,
        name,
        columns: match[1]!.split(',').map((column) => column.trim()),
        references: match[2]!.replace(/"/g, ''),
        referencedColumns: match[3]!.split(',').map((column) => column.trim()),
        ...(onDelete ? { onDelete } : {}),
      });
    }
  }
  return keys;
}

function primaryKey(constraints: Record<string, string>): string[] {
  for (const definition of Object.values(constraints)) {
    const match = /^PRIMARY KEY \(([^)]*)\)/.exec(definition);
    if (match) return match[1]!.split(',').map((column) => column.trim());
  }
  return [];
}

/** A Mermaid attribute type: one word (Mermaid allows no spaces or parentheses there). */
function mermaidType(type: string): string {
  return type.replace(/timestamp with time zone/g, 'timestamptz').replace(/character varying/g, 'varchar').replace(/\[\]/g, '_array').replace(/[^\w]+/g, '_').replace(/_+$/, '');
}

/** The Mermaid ER diagram: every table with its columns, and an edge per foreign key. */
export function renderMermaid(catalog: CatalogSnapshot, keys: ForeignKey[]): string {
  const lines = ['```mermaid', 'erDiagram'];
  for (const tableName of Object.keys(catalog).sort()) {
    const shape = catalog[tableName]!;
    const pk = new Set(primaryKey(shape.constraints));
    const fk = new Set(keys.filter((key) => key.table === tableName).flatMap((key) => key.columns));
    lines.push(`  ${tableName} {`);
    for (const [column, info] of Object.entries(shape.columns)) {
      const marks = [pk.has(column) ? 'PK' : '', fk.has(column) ? 'FK' : ''].filter(Boolean).join(', ');
      lines.push(`    ${mermaidType(info.type)} ${column}${marks ? ` ${marks}` : ''}`);
    }
    lines.push('  }');
  }
  for (const key of keys) {
    const optional = key.columns.some((column) => !catalog[key.table]?.columns[column]?.notNull);
    lines.push(`  ${key.references} ${optional ? '|o' : '||'}--o{ ${key.table} : "${key.columns.join(', ')}"`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** The whole of docs/SCHEMA.md. */
export function renderSchemaDoc(catalog: CatalogSnapshot, latestMigration: number): string {
  const keys = foreignKeys(catalog);
  const out: string[] = [
    '<!-- Generated by `npm run docs` (scripts/docs/) from the live catalogue of a freshly migrated database. Do not edit. -->',
    '# Database schema',
    '',
    `The registry's tables after migration ${latestMigration} (\`migrations/\`), read from the live catalogue (\`readCatalog\` in \`server/registry/db/catalog.ts\`: \`pg_attribute\`, \`pg_indexes\`, \`pg_constraint\`) of a database the registry bootstrapped. The same reading is what \`GET /api/admin/drift\` and \`plugin-codex db status\` compare against, so this page is what the registry expects to find. Every plugin installation's own tables live in a separate schema (\`plg_\` + 16 hex digits) and are not shown here.`,
    '',
    '## Contents',
    '',
    '- [Entity-relationship diagram](#entity-relationship-diagram)',
    '- [Tables](#tables)',
    '- [Example queries](#example-queries)',
    '',
    '## Entity-relationship diagram',
    '',
    renderMermaid(catalog, keys),
    '',
    '## Tables',
    '',
    table(['table', 'columns', 'references', 'referenced by'], Object.keys(catalog).sort().map((name) => [
      `[\`${name}\`](#${name})`,
      String(Object.keys(catalog[name]!.columns).length),
      [...new Set(keys.filter((key) => key.table === name).map((key) => `\`${key.references}\``))].join(', '),
      [...new Set(keys.filter((key) => key.references === name).map((key) => `\`${key.table}\``))].join(', '),
    ])),
    '',
  ];
  for (const name of Object.keys(catalog).sort()) {
    const shape = catalog[name]!;
    out.push(`### ${name}`, '');
    out.push(table(['column', 'type', 'null', 'default'], Object.entries(shape.columns).map(([column, info]) => [
      `\`${column}\``, info.type, info.notNull ? 'not null' : 'null', info.default === null ? '' : `\`${info.default}\``,
    ])), '');
    const constraints = Object.keys(shape.constraints).sort();
    if (constraints.length > 0) {
      out.push('Constraints:', '', table(['name', 'definition'], constraints.map((constraint) => [`\`${constraint}\``, `\`${shape.constraints[constraint]}\``])), '');
    }
    const indexes = Object.keys(shape.indexes).sort();
    if (indexes.length > 0) {
      out.push('Indexes:', '', table(['name', 'definition'], indexes.map((index) => [`\`${index}\``, `\`${shape.indexes[index]}\``])), '');
    }
  }
  out.push('## Example queries', '', 'Each query runs in the registry\'s schema (`SET search_path TO <DATABASE_SCHEMA>` first when it is not `public`). A test runs every one against a freshly migrated database, so they stay correct as the schema changes.', '');
  for (const query of EXAMPLE_QUERIES) out.push(`### ${query.question}`, '', '```sql', query.sql, '```', '');
  return `${out.join('\n').trimEnd()}\n`;
}
