/**
 * A `tml` export's folder as a true copy of the cluster: the files an earlier spotpipe run wrote into it whose
 * object is no longer listed (deleted on the cluster, or no longer visible to the user), or whose object is now
 * written under another file name (renamed, or a namesake's numbering moved), are removed by the run that sees it.
 *
 * What counts as spotpipe's: only files an earlier run's manifest in the folder lists as a TML document of the same
 * export (its key, so an Org's own folder), read from the same cluster, in this run's format and of a type this run
 * lists, and that no later run's manifest lists as removed. Any other file (one written by hand, another export's, a
 * type the run does not list, the other format's) is never touched; nor is one whose bytes no longer hash to what
 * the manifest recorded (changed by hand since: kept, with a warning). A listing with an object without a GUID
 * cannot say which files are gone: nothing is removed, with a warning. The engine removes the files once every
 * document of the export was written (an export that fails removes nothing) and lists them in the export's
 * manifest entry (`removed`), `--json` and the summary; `--dry-run` lists what would be removed.
 */
import { createHash } from "node:crypto"
import { Effect, FileSystem, Path } from "effect"
import { isDocumentFormat, type Manifest } from "../output/Manifest.ts"

/** A TML document an earlier run wrote into the folder and no later run removed. */
export interface EarlierDocument {
  readonly file: string
  /** The export (its key) that wrote it. */
  readonly export: string
  readonly format: string
  /** Its object's type and GUID (null: an object listed without one). */
  readonly type: string
  readonly id: string | null
  readonly sha256: string
}

/** The folder's earlier TML documents by file (see {@link earlierDocuments}). */
export type EarlierDocuments = ReadonlyMap<string, EarlierDocument>

/**
 * The TML documents spotpipe's earlier runs against `host` left in the folder, from its manifests (oldest first,
 * as `Manifest.readManifests` gives them): a file's latest record wins, a removal forgets it.
 */
export const earlierDocuments = (manifests: ReadonlyArray<Manifest>, host: string): EarlierDocuments => {
  const documents = new Map<string, EarlierDocument>()
  for (const manifest of manifests) {
    if (manifest.host !== host) continue
    for (const output of manifest.outputs) {
      if (!isDocumentFormat(output.format)) continue
      documents.set(output.file, {
        file: output.file,
        export: output.export,
        format: output.format,
        type: output.source.type,
        id: output.source.id,
        sha256: output.sha256
      })
    }
    for (const status of manifest.exports) for (const removed of status.removed ?? []) documents.delete(removed.file)
  }
  return documents
}

/** A file the run removes: why, and what its bytes must hash to for it to be spotpipe's still. */
export interface Removal {
  readonly file: string
  /** `deleted`: its object is no longer listed; `renamed`: its object's file is now another one. */
  readonly reason: "deleted" | "renamed"
  /** One line for the manifest, `--json` and the log. */
  readonly detail: string
  readonly sha256: string
}

/** The removals of one `tml` export, and why some or all files are kept instead. */
export interface RemovalPlan {
  readonly removals: ReadonlyArray<Removal>
  readonly warnings: ReadonlyArray<string>
}

/** Nothing to remove. */
export const noRemovals: RemovalPlan = { removals: [], warnings: [] }

/**
 * The earlier documents of export `key` in `format` and of `types` (see the module comment), against the current
 * listing `current` (type and GUID → the file it is written to now; every object of `types`, written or not):
 * those whose file no object has now, with why.
 */
export const planRemovals = (
  earlier: EarlierDocuments,
  key: string,
  format: string,
  types: ReadonlyArray<string>,
  current: ReadonlyMap<string, string>,
  listedWithoutId: number
): RemovalPlan => {
  const mine = [...earlier.values()].filter(
    (d) => d.export === key && d.format === format && types.includes(d.type) && d.file.startsWith(`${key}/`)
  )
  if (mine.length === 0) return noRemovals
  if (listedWithoutId > 0) {
    return {
      removals: [],
      warnings: [
        `${key}: ${listedWithoutId} listed ${listedWithoutId === 1 ? "object has" : "objects have"} no GUID, so spotpipe cannot tell which earlier files are of objects gone from the cluster: none was removed (files of deleted or renamed objects may remain)`
      ]
    }
  }
  const files = new Set(current.values())
  const removals: Array<Removal> = []
  for (const d of mine) {
    if (files.has(d.file)) continue
    const now = d.id === null ? undefined : current.get(idKey(d.type, d.id))
    removals.push(
      now === undefined
        ? {
            file: d.file,
            reason: "deleted",
            detail: `${d.type.toLowerCase()} ${d.id ?? "(no GUID)"} is no longer listed on the cluster`,
            sha256: d.sha256
          }
        : {
            file: d.file,
            reason: "renamed",
            detail: `${d.type.toLowerCase()} ${d.id} is now written to ${now}`,
            sha256: d.sha256
          }
    )
  }
  return { removals, warnings: [] }
}

/**
 * The files of the listing whose namesake group an earlier file's move touches: an earlier document whose object is
 * gone or now has another file (its old file's group and its new one's), so that the run writes those groups whole,
 * as it does a changed object's (a numbered ` (2)` that became the plain name is written again, never left holding
 * the gone object's document).
 */
export const movedFiles = (
  earlier: EarlierDocuments,
  key: string,
  format: string,
  types: ReadonlyArray<string>,
  current: ReadonlyMap<string, string>
): ReadonlyArray<string> => {
  const moved: Array<string> = []
  for (const d of earlier.values()) {
    if (d.export !== key || d.format !== format || !types.includes(d.type)) continue
    const now = d.id === null ? undefined : current.get(idKey(d.type, d.id))
    if (now === d.file) continue
    moved.push(d.file)
    if (now !== undefined) moved.push(now)
  }
  return moved
}

/** The key of an object in {@link planRemovals}'s `current`. */
export const idKey = (type: string, id: string): string => `${type}\u0000${id}`

/** What is on disk at a planned removal: spotpipe's file as recorded, a changed one, or none. */
export type RemovalCheck = "remove" | "changed" | "gone"

/** Checks a planned removal's file under `outDir`: whether it is still the bytes the manifest recorded. */
export const checkRemoval = (
  outDir: string,
  removal: Removal
): Effect.Effect<RemovalCheck, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const bytes = yield* fs.readFile(path.join(outDir, removal.file)).pipe(Effect.option)
    if (bytes._tag === "None") return "gone"
    return createHash("sha256").update(bytes.value).digest("hex") === removal.sha256 ? "remove" : "changed"
  })

/** The warning for a planned removal's file that was changed since spotpipe wrote it: kept. */
export const changedWarning = (removal: Removal): string =>
  `${removal.file} was not removed although ${removal.detail}: it changed since spotpipe wrote it (its bytes no longer match the manifest); remove it by hand if it is not yours`
