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
  /**
   * What else than a table holds the name `name` in the target's schema ("view", "materialized view", …), which
   * no load mode can load into; `undefined`: a table, or nothing.
   */
  readonly otherRelation: (name: string) => Promise<string | undefined>
  /** An existing table's columns and their `information_schema` types, in order; `undefined`: no such table. */
  readonly columnsOf: (table: string) => Promise<ReadonlyArray<{ name: string; type: string }> | undefined>
  /**
   * Loads `output`'s file into `table` inside the caller's transaction and returns the rows loaded: into the
   * existing table (by column name: it has each of the file's columns, in any order, maybe more), or into one it creates first with the manifest's columns (`create`:
   * a table; `temporary`: a temporary one, named as {@link temporaryTable} says). Fails, before the caller commits, if the file is not the manifest's (SHA-256, size).
   */
  readonly copy: (table: string, output: LoadOutput, into: "existing" | "create" | "temporary") => Promise<number>
  /** Stops the statement running now (an interrupted load): its transaction is never committed. */
  readonly abort: () => void
  readonly close: () => Promise<void>
}

/** A failure that names what to do; the load stops and the table being loaded is rolled back. */
export class LoadFailure extends Error {}

/**
 * The engine learned why it could not read a file and reads it differently next time (DuckDB: a CSV line longer
 * than its default limit): the table's load is rolled back and run once more.
 */
export class LoadAgain extends LoadFailure {}

/** Quoted texts in an engine's message (a cell of the file) longer than this are cut; a name (63 bytes at most in
 * PostgreSQL, spotpipe's table names) never is. */
const shownText = 64

/** What DuckDB says went wrong with a CSV row, on a line after the row it quotes. */
const csvProblem =
  /^(Error when converting column|Maximum line size|Expected Number of Columns|Value with unterminated quote|Invalid unicode)/

/**
 * An engine's message as spotpipe prints it: without the row it quotes (DuckDB's "Original Line", which may be
 * megabytes of data over several lines: only its known description line is kept after it), without DuckDB's dump
 * of the reader's options and its generic hints (everything after the first blank line), with any quoted text
 * longer than 64 characters cut, and at most 600 characters.
 */
export const engineMessage = (message: string): string => {
  const lines = message.split(/\r?\n/)
  const quoted = lines.findIndex((l) => /^Original Line:/.test(l))
  const blank = lines.findIndex((l, i) => i > 0 && l.trim() === "")
  const kept =
    quoted === -1
      ? lines.slice(0, blank === -1 ? undefined : blank)
      : [
          ...lines.slice(0, quoted),
          lines.slice(quoted + 1).find((l) => csvProblem.test(l)) ?? "(the row DuckDB quotes is not shown)"
        ]
  const text = kept
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ")
    .replace(/"([^"]*)"/g, (whole, inner: string) =>
      inner.length <= shownText ? whole : `"${inner.slice(0, shownText)}…" (${inner.length} characters)`
    )
  return text.length <= 600 ? text : `${text.slice(0, 600)}…`
}
