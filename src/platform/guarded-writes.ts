/**
 * Writes that commit only under a condition, and the D1 batches that carry them. D1 has no
 * interactive transactions, so a batch makes its later statements depend on an earlier one with
 * `INSERT ... SELECT ... WHERE <condition>` (this run was just recorded, this action is still
 * pending): built here from the table's own columns, so a renamed column breaks the build.
 */
import { getTableColumns, is, sql, SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { ClinicDb } from "./env";

/**
 * `INSERT INTO <table> SELECT <values> WHERE <condition>`: the row is written only when the
 * condition holds. Columns left out get their defaults, exactly as `db.insert(...).values(...)`
 * gives them. Chain `.onConflictDoNothing(...)` as with any insert.
 */
export function insertWhere<T extends SQLiteTable>(db: ClinicDb, table: T, values: T["$inferInsert"], condition: SQL) {
  const given = values as Record<string, unknown>;
  const cells = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = given[key];
    if (value !== undefined) return sql.param(value, column);
    if (column.default !== undefined) return is(column.default, SQL) ? column.default : sql.param(column.default, column);
    return sql`NULL`;
  });
  // An upsert clause after INSERT ... SELECT needs the WHERE, which is always there.
  return db.insert(table).select(sql`SELECT ${sql.join(cells, sql`, `)} WHERE ${condition}`);
}

/** A list of statements for one D1 batch (drizzle wants at least one). */
export type Statements = BatchItem<"sqlite">[];

/**
 * Runs writes (inserts, updates, deletes without RETURNING) in one D1 batch, all or none, and
 * returns each one's D1 result, in order, for `meta.changes`.
 */
export async function runWrites(db: ClinicDb, statements: readonly BatchItem<"sqlite">[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  const [first, ...rest] = statements;
  return (await db.batch([first!, ...rest])) as unknown as D1Result[];
}

/** Runs queries of one kind (one per rule, say) in one D1 batch; their results, in order. */
export async function batchOf<Q extends BatchItem<"sqlite">>(db: ClinicDb, queries: readonly Q[]): Promise<Awaited<Q>[]> {
  if (queries.length === 0) return [];
  const [first, ...rest] = queries;
  return (await db.batch([first!, ...rest])) as Awaited<Q>[];
}
