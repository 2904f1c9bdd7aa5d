/**
 * Types of `searchdata` result columns. A search result names its columns after the model's, decorated for
 * aggregation ("Total Revenue") and date buckets ("Month(Order Date)"); this maps a result column back to the
 * model column by exact name, then by the name inside `Bucket(...)`, then by an aggregation prefix.
 */
import type { TypedColumn } from "../cluster/Cluster.ts"

const aggregationPrefixes = [
  "Total ",
  "Average ",
  "Min ",
  "Max ",
  "Count ",
  "Unique Count ",
  "Unique count ",
  "Std Deviation ",
  "Variance ",
  "Sum "
]

// Bucket functions that keep a date a date; part-of-period buckets ("Day of week") are numbers.
const dateBuckets = new Set([
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
  "date",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "quarterly",
  "yearly"
])

/** A lookup from result column name to ThoughtSpot type (`null` when no model column matches). */
export const searchColumnTypes = (model: ReadonlyArray<TypedColumn>) => {
  const byName = new Map(model.map((c) => [c.name, c.type]))
  return (result: string): string | null => {
    const exact = byName.get(result)
    if (exact !== undefined) return exact
    const bucket = /^([^()]+)\((.+)\)$/.exec(result)
    if (bucket !== null) {
      const inner = byName.get(bucket[2]!.trim())
      if (inner === undefined) return null
      return dateBuckets.has(bucket[1]!.trim().toLowerCase()) ? inner : "INT64"
    }
    for (const prefix of aggregationPrefixes) {
      if (result.startsWith(prefix)) {
        const base = byName.get(result.slice(prefix.length))
        if (base !== undefined) return prefix.startsWith("Count") || prefix.startsWith("Unique") ? "INT64" : base
      }
    }
    return null
  }
}
