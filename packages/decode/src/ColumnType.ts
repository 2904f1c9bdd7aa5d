/** ThoughtSpot column data types and which of them carry date cells. */

/** The column types whose cells are date cells (epoch seconds or Custom Calendar objects). */
export type DateColumnType = "DATE" | "DATE_TIME" | "TIMESTAMP" | "TIME"

/** The non-date ThoughtSpot data types; their cells always pass through untouched. */
export type PlainColumnType = "VARCHAR" | "CHAR" | "INT32" | "INT64" | "DOUBLE" | "FLOAT" | "BOOL"

/** A result column: its name (the `column_names` entry) and its ThoughtSpot data type. */
export interface Column {
  readonly name: string
  readonly type: string
}

const dateTypes: ReadonlySet<string> = new Set<DateColumnType>(["DATE", "DATE_TIME", "TIMESTAMP", "TIME"])
const plainTypes: ReadonlySet<string> = new Set<PlainColumnType>([
  "VARCHAR",
  "CHAR",
  "INT32",
  "INT64",
  "DOUBLE",
  "FLOAT",
  "BOOL"
])

/** True for DATE, DATE_TIME, TIMESTAMP and TIME. */
export const isDateColumnType = (type: string): type is DateColumnType => dateTypes.has(type)

/** True for the known non-date types (VARCHAR, CHAR, INT32, INT64, DOUBLE, FLOAT, BOOL). */
export const isPlainColumnType = (type: string): type is PlainColumnType => plainTypes.has(type)
