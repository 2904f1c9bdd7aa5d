/**
 * Finding the one object a GUID or name means, for single commands and job files alike, and "did you mean" when
 * it finds nothing: the names of the objects of that type this user can see are listed (headers only, the first
 * 10 000) and the closest ones suggested (`../Suggest.ts`). Visualizations are matched against their liveboard's.
 */
import { Effect, Stream } from "effect"
import { type Cluster, metadataColumns } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { exportOfType, type GivenIn } from "./SettingNames.ts"

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

/** The types whose objects an export reads. */
type Exportable = "ANSWER" | "LIVEBOARD" | "LOGICAL_TABLE"
const exportable: ReadonlyArray<Exportable> = ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"]
const kindOf = (type: Exportable) => (type === "LOGICAL_TABLE" ? "table or model" : type.toLowerCase())
const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a")
/** How an object of each type is exported, said as the export was given (`spotpipe answer`, `"type": "answer"`). */
const howTo = (type: Exportable, givenIn: GivenIn): string =>
  type === "ANSWER"
    ? `as an answer (${exportOfType(givenIn, "answer")})`
    : type === "LIVEBOARD"
      ? `as a liveboard (${exportOfType(givenIn, "liveboard")})`
      : `with a search on it (${exportOfType(givenIn, "search")})`

/** The `spotpipe ls` listing of each type. */
const lsKind = { ANSWER: "answers", LIVEBOARD: "liveboards", LOGICAL_TABLE: "tables" } as const

/** A GUID as ThoughtSpot writes them (hex in 8-4-4-4-12 groups); GUIDs are compared ignoring case. */
const guidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether `identifier` is the GUID `id`: the same text, or the same GUID in another case. */
export const isGuidOf = (identifier: string, id: string): boolean =>
  id === identifier || (guidShape.test(identifier) && id.toLowerCase() === identifier.toLowerCase())

/**
 * The one object of `type` that `identifier` means: the object whose GUID it is (in any case; a GUID is unique,
 * so it wins over an object that has that text as its name), else the one object named exactly so. Objects the
 * cluster matched otherwise (a name differing in case or spaces) are never taken: none is a NotFound naming the
 * closest names, several named exactly so a NotFound listing their GUIDs.
 */
export const findObject = <E>(
  cluster: Cluster<E>,
  type: Exportable,
  identifier: string,
  givenIn: GivenIn = "command line"
) =>
  Effect.gen(function* () {
    // Only objects of `type`: a cluster may match a GUID whatever the type asked for.
    const find = (text: string) => Effect.map(cluster.find(type, text), (all) => all.filter((o) => o.type === type))
    let found = yield* find(identifier)
    // A GUID typed in upper case: ThoughtSpot's GUIDs are lower case, and a cluster may match them as given.
    if (
      guidShape.test(identifier) &&
      identifier !== identifier.toLowerCase() &&
      !found.some((o) => isGuidOf(identifier, o.id))
    ) {
      found = [...found, ...(yield* find(identifier.toLowerCase()))]
    }
    const kind = kindOf(type)
    const where = givenIn === "job file" ? " in the job file" : ""
    const byGuid = found.find((o) => isGuidOf(identifier, o.id))
    if (byGuid !== undefined) return byGuid
    const candidates = found.filter((o) => o.name === identifier)
    if (candidates.length === 0) {
      // The GUID of an object of another type (`spotpipe answer <a liveboard's GUID>`): say which and what to use.
      if (guidShape.test(identifier)) {
        for (const other of exportable.filter((t) => t !== type)) {
          const elsewhere = (yield* cluster.find(other, identifier.toLowerCase())).find(
            (o) => o.type === other && isGuidOf(identifier, o.id)
          )
          if (elsewhere !== undefined) {
            return yield* new ExportError({
              kind: "NotFound",
              message: `${identifier}${where} is the GUID of ${kindOf(other)} "${elsewhere.name}", not of ${article(kind)} ${kind}: export it ${howTo(other, givenIn)}`
            })
          }
        }
      }
      // The cluster's near matches first (what it matched ignoring case or spaces), else the closest visible names.
      const near = [...new Set(found.map((o) => o.name))]
      const suggestion =
        near.length > 0 ? didYouMean(near.slice(0, 3)) : yield* suggestObjects(cluster, type, identifier)
      return yield* new ExportError({
        kind: "NotFound",
        message: `no ${kind} "${identifier}" found, or this user cannot see it: check the GUID or name${where} (spotpipe ls ${lsKind[type]} lists them) or ask for access${suggestion}`
      })
    }
    if (candidates.length > 1) {
      return yield* new ExportError({
        kind: "NotFound",
        message: `${candidates.length} objects of type ${type} are named "${identifier}": use the GUID${where} instead (${candidates
          .map((o) => o.id)
          .join(", ")}; spotpipe ls ${lsKind[type]} shows which is which)`
      })
    }
    return candidates[0]!
  })
