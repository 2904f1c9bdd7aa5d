/**
 * "Did you mean" for objects: when a GUID or name finds nothing, the names of the objects of that type this
 * user can see are listed (headers only, the first 10 000) and the closest ones suggested (`Suggest.ts`). Used
 * by every lookup of answers, liveboards and tables; visualizations are matched against their liveboard's.
 */
import { Effect, Stream } from "effect"
import { type Cluster, metadataColumns } from "./Cluster.ts"
import { closest, didYouMean } from "./Suggest.ts"

const namePosition = metadataColumns.findIndex((c) => c.name === "name")

/**
 * Names of the objects of `type` this user can see; none when they cannot be listed — a not-found message is
 * still right without suggestions.
 */
export const visibleNames = <E>(cluster: Cluster<E>, type: string): Effect.Effect<ReadonlyArray<string>> =>
  cluster.metadataPages([type], 1000).pipe(
    Stream.take(10),
    Stream.runFold(
      (): Array<string> => [],
      (names, page) => {
        if (Array.isArray(page.rows)) {
          for (const row of page.rows as ReadonlyArray<ReadonlyArray<unknown>>) {
            const name = row[namePosition]
            if (typeof name === "string") names.push(name)
          }
        }
        return names
      }
    ),
    Effect.orElseSucceed((): ReadonlyArray<string> => [])
  )

/** `; did you mean "…"?` for `identifier` among the visible objects of `type`, or "". */
export const suggestObjects = <E>(cluster: Cluster<E>, type: string, identifier: string): Effect.Effect<string> =>
  Effect.map(visibleNames(cluster, type), (names) => didYouMean(closest(identifier, names)))

/** `; did you mean "…"?` for a visualization `wanted` among `names` (its liveboard's), or "". */
export const suggestVisualizations = (wanted: string, names: ReadonlyArray<string>): string =>
  didYouMean(closest(wanted, names))
