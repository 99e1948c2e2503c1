import { describe, expect, it } from 'vitest';
import { createCodex } from '../codex';
import { runProjectCase } from '../rule-test-support';
import { expectedCatalog, normalizeType, splitStatements, type Catalog } from './sql-migrations';

const users: Catalog = {
  users: {
    columns: {
      id: { type: 'integer', notNull: true, default: "nextval('users_id_seq'::regclass)" },
      email: { type: 'character varying(100)', notNull: true, default: null },
      created: { type: 'timestamp with time zone', notNull: false, default: 'now()' },
    },
    indexes: { users_pkey: 'CREATE UNIQUE INDEX users_pkey ON users USING btree (id)', users_email_key: 'CREATE UNIQUE INDEX users_email_key ON users USING btree (email)' },
    constraints: { users_pkey: 'PRIMARY KEY (id)', users_email_key: 'UNIQUE (email)', users_id_not_null: 'NOT NULL id', users_email_not_null: 'NOT NULL email' },
  },
};
const createUsers = 'CREATE TABLE users (\n  id serial PRIMARY KEY,\n  email varchar(100) NOT NULL UNIQUE,\n  created timestamptz DEFAULT now()\n);\n';
const clone = (catalog: Catalog): Catalog => JSON.parse(JSON.stringify(catalog)) as Catalog;
const without = (mutate: (catalog: Catalog) => void): Catalog => {
  const copy = clone(users);
  mutate(copy);
  return copy;
};

const cases: { name: string; files: Record<string, string>; live: Catalog }[] = [
  { name: 'a column missing from the database', files: { 'migrations/001.do.users.sql': createUsers.replace('  created', '  /*@*/created') }, live: without((c) => delete c.users!.columns.created) },
  { name: 'a column whose type changed', files: { 'migrations/001.do.users.sql': createUsers.replace('  email', '  /*@*/email') }, live: without((c) => { c.users!.columns.email!.type = 'text'; }) },
  { name: 'an index missing from the database', files: { 'migrations/001.do.users.sql': `${createUsers}/*@*/CREATE INDEX users_created_idx ON users (created);\n` }, live: clone(users) },
];
const lookAlikes: { name: string; files: Record<string, string>; live: Catalog }[] = [
  { name: 'type aliases and implicit constraints match', files: { 'migrations/001.do.users.sql': createUsers }, live: clone(users) },
  { name: 'a table created and dropped later', files: { 'migrations/001.do.users.sql': `${createUsers}CREATE TABLE tmp (x int);\n`, 'migrations/002.do.drop.sql': 'DROP TABLE tmp;\n' }, live: clone(users) },
  { name: 'undo migrations and renames', files: { 'migrations/001.do.users.sql': createUsers.replace('email varchar', 'mail varchar'), 'migrations/002.do.rename.sql': 'ALTER TABLE users RENAME COLUMN mail TO email;\n', 'migrations/002.undo.rename.sql': 'ALTER TABLE users RENAME COLUMN email TO mail;\n' }, // PostgreSQL keeps constraint and index names when a column is renamed.
    live: without((c) => { delete c.users!.constraints.users_email_key; delete c.users!.indexes.users_email_key; c.users!.constraints.users_mail_key = 'UNIQUE (email)'; c.users!.indexes.users_mail_key = 'CREATE UNIQUE INDEX users_mail_key ON users USING btree (email)'; }) },
];

describe('schema-drift', () => {
  it.each(cases)('finds: $name', async ({ files, live }) => {
    const outcome = await runProjectCase((root) => createCodex({ root, liveCatalog: async () => live }), 'schema-drift', 'schema-drift', files);
    expect(outcome.expected).toHaveLength(1);
    expect(outcome.found).toEqual(outcome.expected);
  });
  it.each(lookAlikes)('ignores look-alike: $name', async ({ files, live }) => {
    const outcome = await runProjectCase((root) => createCodex({ root, liveCatalog: async () => live }), 'schema-drift', 'schema-drift', files);
    expect(outcome.found).toEqual([]);
  });
  it('is not checked without a live catalog', async () => {
    const outcome = await runProjectCase((root) => createCodex({ root }), 'schema-drift', 'schema-drift', { 'migrations/001.do.users.sql': createUsers });
    expect(outcome.found).toEqual([]);
  });
});

describe('sql-migrations', () => {
  it('normalises types the way format_type prints them', () => {
    expect(normalizeType('VARCHAR( 20 )')).toBe('character varying(20)');
    expect(normalizeType('int4[]')).toBe('integer[]');
    expect(normalizeType('timestamptz')).toBe('timestamp with time zone');
    expect(normalizeType('numeric(10, 2)')).toBe('numeric(10,2)');
  });
  it('splits statements outside quotes, comments and dollar quotes', () => {
    const sql = "SELECT ';'; -- a ; comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT 2";
    expect(splitStatements(sql).map((statement) => statement.text.split(/\s+/)[0])).toEqual(['SELECT', 'CREATE', 'SELECT']);
  });
  it('tells columns named like constraint keywords from constraints', () => {
    const { tables } = expectedCatalog([{ file: 'm.sql', sql: "CREATE TABLE u (exclude text[] NOT NULL DEFAULT '{}', unique_code text, CHECK (unique_code <> ''));\nALTER TABLE u ADD unique_id int, ADD UNIQUE (unique_id);" }]);
    expect(Object.keys(tables.u!.columns)).toEqual(['exclude', 'unique_code', 'unique_id']);
    expect(Object.keys(tables.u!.constraints)).toEqual(['u_unique_id_key']);
  });
  it('follows ALTER TABLE actions', () => {
    const { tables } = expectedCatalog([{ file: 'm.sql', sql: 'CREATE TABLE t (a int, b text);\nALTER TABLE t ADD COLUMN c bool NOT NULL, DROP COLUMN b, ALTER COLUMN a TYPE bigint, ADD CONSTRAINT t_c_chk CHECK (c);' }]);
    expect(tables.t!.columns).toEqual({ a: { type: 'bigint', notNull: false }, c: { type: 'boolean', notNull: true } });
    expect(Object.keys(tables.t!.constraints)).toEqual(['t_c_chk']);
  });
});
