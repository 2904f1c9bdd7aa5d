/**
 * What a column holds, for destinations with typed columns (Parquet files, warehouse tables and their DDL): the
 * one mapping from ThoughtSpot's data types (VARCHAR, CHAR, DOUBLE, FLOAT, BOOL, INT32, INT64, DATE, DATE_TIME,
 * TIMESTAMP, TIME) to the kinds every typed writer and loader maps on. A type metadata did not know (`null`), or one
 * not listed, is text: the cell's exact text is kept, never a guess at a number.
 */

/** The kinds a typed destination distinguishes. */
export type ColumnKind = "int64" | "int32" | "double" | "boolean" | "text" | "date" | "timestamp" | "time"

const kinds: Readonly<Record<string, ColumnKind>> = {
  INT64: "int64",
  INT32: "int32",
  DOUBLE: "double",
  FLOAT: "double",
  BOOL: "boolean",
  VARCHAR: "text",
  CHAR: "text",
  DATE: "date",
  DATE_TIME: "timestamp",
  TIMESTAMP: "timestamp",
  TIME: "time"
}

/** The kind of a column of ThoughtSpot type `type` (as the manifest records it; `null`: unknown). */
export const columnKindOf = (type: string | null): ColumnKind => (type === null ? "text" : (kinds[type] ?? "text"))
