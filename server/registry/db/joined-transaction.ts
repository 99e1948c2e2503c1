import type { Database, Transaction } from './database';

/**
 * A Database whose every statement runs in `tx`, and whose `transaction` joins `tx` instead of
 * opening a new one: code written against a Database (the lifecycle service) then runs inside a
 * transaction the caller controls — and rolls back ("install and test").
 */
export function joinTransaction(db: Database, tx: Transaction): Database {
  return {
    driver: db.driver,
    schema: db.schema,
    query: (text, params) => tx.query(text, params),
    exec: (script) => tx.exec(script),
    transaction: (work) => work(tx),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    // Sent inside the transaction, so a rolled-back notification is never delivered.
    notify: async (channel, payload) => {
      await tx.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => undefined,
  };
}
