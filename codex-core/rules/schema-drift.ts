import type { Catalog, ExpectedCatalog, SqlLocation } from './sql-migrations';
import { normalizeType } from './sql-migrations';

/** One drift finding before it gets positions. */
export interface DriftProblem {
  at: SqlLocation;
  message: string;
  suggestion: string;
}

/**
 * Compares what the migrations define with the live catalog: tables, columns (type and
 * nullability), indexes and constraints. NOT NULL constraints (which PostgreSQL 18 lists as
 * constraints) are compared through the columns; unnamed CHECK constraints by presence only.
 */
export function compareWithLive(expected: ExpectedCatalog, live: Catalog, fallback: SqlLocation): DriftProblem[] {
  const problems: DriftProblem[] = [];
  const where = (key: string, or?: string): SqlLocation => expected.locations.get(key) ?? (or ? expected.locations.get(or) : undefined) ?? fallback;
  const add = (at: SqlLocation, message: string, suggestion: string): void => {
    problems.push({ at, message, suggestion });
  };
  for (const [name, table] of Object.entries(expected.tables)) {
    const actual = live[name];
    if (!actual) {
      add(where(name), `table ${name} is defined by the migrations but missing from the database`, 'Run the pending migrations, or find out what dropped the table.');
      continue;
    }
    for (const [column, shape] of Object.entries(table.columns)) {
      const liveColumn = actual.columns[column];
      if (!liveColumn) {
        add(where(`${name}.${column}`, name), `column ${name}.${column} is missing from the database`, 'Run the pending migrations, or write one that adds the column.');
        continue;
      }
      const liveType = normalizeType(liveColumn.type);
      if (liveType !== shape.type) add(where(`${name}.${column}`, name), `column ${name}.${column} is ${liveType} in the database, the migrations define ${shape.type}`, 'Write a migration that makes the type explicit, or revert the manual change.');
      if (liveColumn.notNull !== shape.notNull) add(where(`${name}.${column}`, name), `column ${name}.${column} is ${liveColumn.notNull ? 'NOT NULL' : 'nullable'} in the database, the migrations define it ${shape.notNull ? 'NOT NULL' : 'nullable'}`, 'Write a migration for the nullability, or revert the manual change.');
    }
    for (const column of Object.keys(actual.columns)) {
      if (!(column in table.columns)) add(where(name), `column ${name}.${column} exists in the database but no migration defines it`, 'Write a migration that adds it, or drop it from the database.');
    }
    for (const index of Object.keys(table.indexes)) {
      if (!(index in actual.indexes)) add(where(`index:${index}`, name), `index ${index} on ${name} is missing from the database`, 'Run the pending migrations, or recreate the index.');
    }
    for (const index of Object.keys(actual.indexes)) {
      if (!(index in table.indexes)) add(where(name), `index ${index} on ${name} exists in the database but no migration defines it`, 'Write a migration that creates it, or drop it.');
    }
    for (const constraint of Object.keys(table.constraints)) {
      if (!(constraint in actual.constraints)) add(where(`constraint:${name}.${constraint}`, name), `constraint ${constraint} on ${name} is missing from the database`, 'Run the pending migrations, or restore the constraint.');
    }
    for (const constraint of Object.keys(actual.constraints)) {
      if (constraint in table.constraints || constraint.endsWith('_not_null')) continue;
      if (constraint.endsWith('_check') && expected.uncheckedConstraints.has(name)) continue;
      add(where(name), `constraint ${constraint} on ${name} exists in the database but no migration defines it`, 'Write a migration that adds it, or drop it.');
    }
  }
  for (const name of Object.keys(live)) {
    if (!(name in expected.tables)) add(fallback, `table ${name} exists in the database but no migration defines it`, 'Write a migration that creates it, or drop it.');
  }
  return problems;
}
