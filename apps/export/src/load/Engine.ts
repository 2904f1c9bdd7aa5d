/**
 * What a load needs from a database: run SQL, read one number, learn an existing table's columns, and bulk-load
 * one file into one table. `DuckDbEngine.ts` and `PostgresEngine.ts` implement it; `Load.ts` does the rest (the
 * same transactions, modes, checks and record for both).
 */
import type { LoadOutput } from "./RunManifest.ts"
import { quoteIdent, stageTable } from "./Warehouse.ts"

/**
 * How SQL names the temporary table `name`: qualified with the session's temporary schema, so that a table of the
 * database's own with the same name is never meant (PostgreSQL: `pg_temp`; DuckDB: `temp.main`).
 */
export const temporaryTable = (dialect: LoadEngine["dialect"], name: string = stageTable): string =>
  `${dialect === "postgres" ? "pg_temp" : "temp.main"}.${quoteIdent(name)}`

/** One database connection a load runs on. */
export interface LoadEngine {
  readonly dialect: "postgres" | "duckdb"
  /** Runs statements; fails with the database's own message. */
  readonly exec: (sql: string) => Promise<void>
  /** The first column of the first row of `sql` as text (`undefined`: no row). */
  readonly scalar: (sql: string) => Promise<string | undefined>
  /** An existing table's columns and their `information_schema` types, in order; `undefined`: no such table. */
  readonly columnsOf: (table: string) => Promise<ReadonlyArray<{ name: string; type: string }> | undefined>
  /**
   * Loads `output`'s file into `table` inside the caller's transaction and returns the rows loaded: into the
   * existing table (same columns, in order), or into one it creates first with the manifest's columns (`create`:
   * a table; `temporary`: a temporary one, named as {@link temporaryTable} says). Fails, before the caller commits, if the file is not the manifest's (SHA-256, size).
   */
  readonly copy: (table: string, output: LoadOutput, into: "existing" | "create" | "temporary") => Promise<number>
  readonly close: () => Promise<void>
}

/** A failure that names what to do; the load stops and the table being loaded is rolled back. */
export class LoadFailure extends Error {}
