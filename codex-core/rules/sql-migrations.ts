/**
 * A small reader of PostgreSQL DDL: it follows CREATE TABLE, ALTER TABLE, CREATE INDEX, DROP TABLE
 * and DROP INDEX through a sequence of migration files and yields the catalog they define, with the
 * place where each object is defined. Everything else (functions, triggers, data) is skipped.
 */

/** The live or expected shape of one table, compatible with the registry's `readCatalog` snapshot. */
export interface CatalogTable {
  columns: Record<string, { type: string; notNull: boolean; default?: string | null }>;
  indexes: Record<string, string>;
  constraints: Record<string, string>;
}

/** Every table of one schema, by name. */
export type Catalog = Record<string, CatalogTable>;

/** Where something was defined: a migration file and an offset into it. */
export interface SqlLocation {
  file: string;
  offset: number;
}

/** The catalog the migrations define, with definition sites. */
export interface ExpectedCatalog {
  tables: Catalog;
  /** `table`, `table.column`, `index:name` and `constraint:table.name` → where they are defined. */
  locations: Map<string, SqlLocation>;
  /** Tables with unnamed CHECK constraints, whose generated names cannot be predicted. */
  uncheckedConstraints: Set<string>;
}

const TYPE_ALIASES: Record<string, string> = {
  int: 'integer', int4: 'integer', integer: 'integer', serial: 'integer', serial4: 'integer',
  bigint: 'bigint', int8: 'bigint', bigserial: 'bigint', serial8: 'bigint',
  smallint: 'smallint', int2: 'smallint', smallserial: 'smallint', serial2: 'smallint',
  bool: 'boolean', boolean: 'boolean', float8: 'double precision', 'double precision': 'double precision', float4: 'real', real: 'real',
  varchar: 'character varying', 'character varying': 'character varying', char: 'character', character: 'character', bpchar: 'character',
  timestamptz: 'timestamp with time zone', 'timestamp with time zone': 'timestamp with time zone',
  timestamp: 'timestamp without time zone', 'timestamp without time zone': 'timestamp without time zone',
  timetz: 'time with time zone', 'time with time zone': 'time with time zone', time: 'time without time zone', 'time without time zone': 'time without time zone',
  decimal: 'numeric', numeric: 'numeric',
};

/** Normalises a column type the way PostgreSQL's format_type prints it: `varchar(20)` → `character varying(20)`. */
export function normalizeType(type: string): string {
  const compact = type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')').replace(/"/g, '');
  const match = /^([a-z0-9_ ]+?)\s*(\([^)]*\))?\s*((\[\])*)$/.exec(compact);
  if (!match) return compact;
  const base = TYPE_ALIASES[match[1]!.trim()] ?? match[1]!.trim();
  let modifier = match[2] ?? '';
  // `timestamp(3) with time zone` keeps its precision after the name part.
  if (base.startsWith('timestamp') || base.startsWith('time ')) {
    return `${base.replace(/^(timestamp|time)/, `$1${modifier}`)}${match[3] ?? ''}`;
  }
  if (base === 'numeric' && modifier === '') modifier = '';
  return `${base}${modifier}${match[3] ?? ''}`;
}

function unquote(name: string): string {
  const trimmed = name.trim();
  const last = trimmed.split('.').pop() ?? trimmed;
  return last.startsWith('"') ? last.slice(1, -1) : last.toLowerCase();
}

/** Splits SQL into statements (outside quotes, dollar quotes and comments), with their offsets. */
export function splitStatements(sql: string): { text: string; offset: number }[] {
  const statements: { text: string; offset: number }[] = [];
  let start = 0;
  let index = 0;
  let current = '';
  const flush = (): void => {
    const text = current.trim();
    if (text) statements.push({ text, offset: start + (current.length - current.trimStart().length) });
    current = '';
  };
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === '-' && sql[index + 1] === '-') {
      const end = sql.indexOf('\n', index);
      const stop = end < 0 ? sql.length : end;
      current += ' '.repeat(stop - index);
      index = stop;
    } else if (char === '/' && sql[index + 1] === '*') {
      const end = sql.indexOf('*/', index + 2);
      const stop = end < 0 ? sql.length : end + 2;
      current += ' '.repeat(stop - index);
      index = stop;
    } else if (char === '\'' || char === '"') {
      let end = index + 1;
      while (end < sql.length && !(sql[end] === char && sql[end + 1] !== char)) end += sql[end] === char ? 2 : 1;
      current += sql.slice(index, end + 1);
      index = end + 1;
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(index))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, index + tag.length);
        const stop = end < 0 ? sql.length : end + tag.length;
        current += sql.slice(index, stop);
        index = stop;
      } else {
        current += char;
        index++;
      }
    } else if (char === ';') {
      flush();
      index++;
      start = index;
    } else {
      current += char;
      index++;
    }
  }
  flush();
  return statements;
}

/** Splits at top-level commas (outside parentheses and quotes). */
function splitTopLevel(text: string): { part: string; offset: number }[] {
  const parts: { part: string; offset: number }[] = [];
  let depth = 0;
  let quote: string | undefined;
  let from = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '\'' || char === '"') quote = char;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push({ part: text.slice(from, index), offset: from });
      from = index + 1;
    }
  }
  parts.push({ part: text.slice(from), offset: from });
  return parts.map(({ part, offset }) => ({ part: part.trim(), offset: offset + (part.length - part.trimStart().length) })).filter(({ part }) => part);
}

/** A table constraint, as opposed to a column that happens to be named `exclude` or `unique_code`. */
const TABLE_CONSTRAINT = /^(CONSTRAINT\s+("[^"]+"|\w+)\s|PRIMARY\s+KEY\s*\(|UNIQUE\s*(\(|NULLS\s|USING\s)|FOREIGN\s+KEY\s*\(|CHECK\s*\(|EXCLUDE\s*(USING\s|\())/i;
const COLUMN_KEYWORDS = /\s+(NOT\s+NULL|NULL|DEFAULT|PRIMARY\s+KEY|UNIQUE|REFERENCES|CHECK|CONSTRAINT|GENERATED|COLLATE)\b/i;
const IDENT = '("[^"]+"|[A-Za-z_][\\w$]*)(?:\\.("[^"]+"|[A-Za-z_][\\w$]*))?';

class CatalogBuilder {
  readonly tables: Catalog = {};
  readonly locations = new Map<string, SqlLocation>();
  readonly uncheckedConstraints = new Set<string>();

  private table(name: string): CatalogTable {
    return (this.tables[name] ??= { columns: {}, indexes: {}, constraints: {} });
  }

  addColumn(tableName: string, definition: string, at: SqlLocation): void {
    const match = new RegExp(`^${IDENT}\\s+([\\s\\S]*)$`).exec(definition);
    if (!match) return;
    const name = unquote(match[2] ?? match[1]!);
    const rest = match[3] ?? '';
    const keyword = COLUMN_KEYWORDS.exec(` ${rest}`);
    const type = normalizeType(keyword ? ` ${rest}`.slice(0, keyword.index) : rest);
    const constraints = keyword ? ` ${rest}`.slice(keyword.index) : '';
    const table = this.table(tableName);
    const primary = /PRIMARY\s+KEY/i.test(constraints);
    table.columns[name] = { type, notNull: primary || /NOT\s+NULL/i.test(constraints) || /GENERATED\s+ALWAYS\s+AS\s+IDENTITY|GENERATED\s+BY\s+DEFAULT\s+AS\s+IDENTITY/i.test(constraints) };
    this.locations.set(`${tableName}.${name}`, at);
    const named = /CONSTRAINT\s+("[^"]+"|\w+)/i.exec(constraints);
    if (primary) this.constraint(tableName, named ? unquote(named[1]!) : `${tableName}_pkey`, 'PRIMARY KEY', at, true);
    if (/\bUNIQUE\b/i.test(constraints)) this.constraint(tableName, `${tableName}_${name}_key`, 'UNIQUE', at, true);
    if (/\bREFERENCES\b/i.test(constraints)) this.constraint(tableName, `${tableName}_${name}_fkey`, 'FOREIGN KEY', at, false);
    if (/\bCHECK\b/i.test(constraints)) this.constraint(tableName, `${tableName}_${name}_check`, 'CHECK', at, false);
  }

  constraint(tableName: string, name: string, definition: string, at: SqlLocation, indexed: boolean): void {
    const table = this.table(tableName);
    table.constraints[name] = definition;
    this.locations.set(`constraint:${tableName}.${name}`, at);
    if (indexed) {
      table.indexes[name] = definition;
      this.locations.set(`index:${name}`, at);
    }
  }

  tableConstraint(tableName: string, definition: string, at: SqlLocation): void {
    const named = /^CONSTRAINT\s+("[^"]+"|\w+)\s+([\s\S]*)$/i.exec(definition);
    const body = named ? named[2]! : definition;
    const columns = (/\(([^)]*)\)/.exec(body)?.[1] ?? '').split(',').map((column) => unquote(column)).filter(Boolean);
    if (/^PRIMARY\s+KEY/i.test(body)) {
      this.constraint(tableName, named ? unquote(named[1]!) : `${tableName}_pkey`, 'PRIMARY KEY', at, true);
      for (const column of columns) {
        const shape = this.tables[tableName]?.columns[column];
        if (shape) shape.notNull = true;
      }
    } else if (/^UNIQUE/i.test(body)) {
      this.constraint(tableName, named ? unquote(named[1]!) : `${tableName}_${columns.join('_')}_key`, 'UNIQUE', at, true);
    } else if (/^FOREIGN\s+KEY/i.test(body)) {
      this.constraint(tableName, named ? unquote(named[1]!) : `${tableName}_${columns.join('_')}_fkey`, 'FOREIGN KEY', at, false);
    } else if (/^CHECK/i.test(body)) {
      if (named) this.constraint(tableName, unquote(named[1]!), 'CHECK', at, false);
      else this.uncheckedConstraints.add(tableName);
    } else if (/^EXCLUDE/i.test(body) && named) {
      this.constraint(tableName, unquote(named[1]!), 'EXCLUDE', at, true);
    }
  }

  statement(text: string, at: SqlLocation): void {
    let match = new RegExp(`^CREATE\\s+(?:UNLOGGED\\s+|TEMP(?:ORARY)?\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}\\s*\\(([\\s\\S]*)\\)[^)]*$`, 'i').exec(text);
    if (match) {
      const name = unquote(match[2] ?? match[1]!);
      if (this.tables[name]) return;
      this.table(name);
      this.locations.set(name, at);
      const body = match[3]!;
      const bodyOffset = text.indexOf(body);
      for (const { part, offset } of splitTopLevel(body)) {
        const where = { file: at.file, offset: at.offset + bodyOffset + offset };
        if (TABLE_CONSTRAINT.test(part)) this.tableConstraint(name, part, where);
        else if (!/^LIKE\s/i.test(part)) this.addColumn(name, part, where);
      }
      return;
    }
    match = new RegExp(`^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}\\s+ON\\s+(?:ONLY\\s+)?${IDENT}([\\s\\S]*)$`, 'i').exec(text);
    if (match) {
      const index = unquote(match[3] ?? match[2]!);
      const table = unquote(match[5] ?? match[4]!);
      this.table(table).indexes[index] = `${match[1] ? 'UNIQUE ' : ''}INDEX ON ${table}${match[6]?.replace(/\s+/g, ' ') ?? ''}`;
      this.locations.set(`index:${index}`, at);
      return;
    }
    match = /^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\s\S]+?)(\s+CASCADE|\s+RESTRICT)?$/i.exec(text);
    if (match) {
      for (const name of match[1]!.split(',')) delete this.tables[unquote(name)];
      return;
    }
    match = /^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?([\s\S]+?)(\s+CASCADE|\s+RESTRICT)?$/i.exec(text);
    if (match) {
      for (const name of match[1]!.split(',').map(unquote)) for (const table of Object.values(this.tables)) delete table.indexes[name];
      return;
    }
    match = new RegExp(`^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${IDENT}\\s+([\\s\\S]*)$`, 'i').exec(text);
    if (match) this.alter(unquote(match[2] ?? match[1]!), match[3]!, { file: at.file, offset: at.offset + text.indexOf(match[3]!) });
  }

  private alter(tableName: string, actions: string, at: SqlLocation): void {
    const rename = new RegExp(`^RENAME\\s+TO\\s+${IDENT}$`, 'i').exec(actions.trim());
    if (rename) {
      const table = this.tables[tableName];
      if (table) {
        this.tables[unquote(rename[1]!)] = table;
        delete this.tables[tableName];
      }
      return;
    }
    const table = this.table(tableName);
    for (const { part, offset } of splitTopLevel(actions)) {
      const where = { file: at.file, offset: at.offset + offset };
      let match: RegExpExecArray | null;
      if ((match = /^ADD\s+([\s\S]*)$/i.exec(part)) && TABLE_CONSTRAINT.test(match[1]!)) {
        this.tableConstraint(tableName, match[1]!, where);
      } else if ((match = /^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([\s\S]*)$/i.exec(part))) {
        this.addColumn(tableName, match[1]!, where);
      } else if ((match = /^DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?("[^"]+"|\w+)/i.exec(part))) {
        const name = unquote(match[1]!);
        delete table.constraints[name];
        delete table.indexes[name];
      } else if ((match = /^DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?("[^"]+"|\w+)/i.exec(part))) {
        const name = unquote(match[1]!);
        delete table.columns[name];
        // Dropping a column drops the constraints and indexes named after it.
        for (const key of Object.keys(table.constraints)) if (key.startsWith(`${tableName}_${name}_`)) delete table.constraints[key];
        for (const key of Object.keys(table.indexes)) if (key.startsWith(`${tableName}_${name}_`)) delete table.indexes[key];
      } else if ((match = /^ALTER\s+(?:COLUMN\s+)?("[^"]+"|\w+)\s+(?:SET\s+DATA\s+)?TYPE\s+([\s\S]+?)(\s+USING\s[\s\S]*|\s+COLLATE\s[\s\S]*)?$/i.exec(part))) {
        const column = table.columns[unquote(match[1]!)];
        if (column) column.type = normalizeType(match[2]!);
      } else if ((match = /^ALTER\s+(?:COLUMN\s+)?("[^"]+"|\w+)\s+(SET|DROP)\s+NOT\s+NULL/i.exec(part))) {
        const column = table.columns[unquote(match[1]!)];
        if (column) column.notNull = match[2]!.toUpperCase() === 'SET';
      } else if ((match = /^RENAME\s+(?:COLUMN\s+)?("[^"]+"|\w+)\s+TO\s+("[^"]+"|\w+)$/i.exec(part))) {
        const from = unquote(match[1]!);
        const column = table.columns[from];
        if (column) {
          table.columns[unquote(match[2]!)] = column;
          delete table.columns[from];
        }
      }
    }
  }
}

/** Applies the migrations in order and returns the catalog they define. */
export function expectedCatalog(migrations: readonly { file: string; sql: string }[]): ExpectedCatalog {
  const builder = new CatalogBuilder();
  for (const migration of migrations) {
    for (const statement of splitStatements(migration.sql)) builder.statement(statement.text, { file: migration.file, offset: statement.offset });
  }
  return { tables: builder.tables, locations: builder.locations, uncheckedConstraints: builder.uncheckedConstraints };
}

/** True for a migration that undoes another (postgrator `NNN.undo.x.sql`, `down.sql`): not part of the schema. */
export function isUndoMigration(path: string): boolean {
  return /(^|[./_-])(undo|down|rollback)([./_-]|$)/i.test(path.split('/').pop() ?? path);
}

/** Orders migration files by their leading number (or timestamp), then by name. */
export function compareMigrations(a: string, b: string): number {
  const number = (path: string): number => Number(/^(\d+)/.exec(path.split('/').pop() ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
  return number(a) - number(b) || a.localeCompare(b);
}
