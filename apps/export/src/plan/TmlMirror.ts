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
 *
 * A listing is the signed-in user's: an object hidden from that user is missing from it as a deleted one is. So a
 * file is removed only when every run that wrote it (since it was last removed) read as the same user, on the same
 * cluster and in the same Org, as this run ({@link vouchedRemovals}); a file another user's run wrote, or one only
 * manifests of versions that did not record the user vouch for, is kept, with a warning naming whose it is and what
 * to do. Runs record the user in the manifest (`signed_in`). By the same rule a run never writes one object's
 * document over a file that holds another's ({@link refuseReplacing}).
 */
import { createHash } from "node:crypto"
import { Effect, FileSystem, Path } from "effect"
import type { SignedInUser } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { isDocumentFormat, type Manifest } from "../output/Manifest.ts"
import { commandLineNames, type SettingNames } from "./SettingNames.ts"

/** Who read the listing of one record of a file: its run's cluster and signed-in user, in the Org of its export. */
export interface Writer {
  readonly host: string
  /**
   * Undefined: the manifest of a version that did not record the signed-in user, or of a merge whose shards did not
   * read as one user.
   */
  readonly user: SignedInUser | undefined
  /** A `spotpipe merge` manifest's record: it lists its shards' documents again, as their runs recorded them. */
  readonly merge: boolean
}

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
  /** Every record of the file since it was last removed (from any cluster), oldest first. */
  readonly writers: ReadonlyArray<Writer>
}

/** The folder's earlier TML documents by file (see {@link earlierDocuments}). */
export type EarlierDocuments = ReadonlyMap<string, EarlierDocument>

/**
 * The TML documents spotpipe's earlier runs against `host` left in the folder, from its manifests (oldest first,
 * as `Manifest.readManifests` gives them): a file's latest record wins, a removal forgets it. Each carries who read
 * every record of it since it was last removed, other clusters' records included (see {@link vouchedRemovals}).
 */
export const earlierDocuments = (manifests: ReadonlyArray<Manifest>, host: string): EarlierDocuments => {
  const documents = new Map<string, Omit<EarlierDocument, "writers">>()
  const writers = new Map<string, Array<Writer>>()
  for (const manifest of manifests) {
    for (const output of manifest.outputs) {
      if (!isDocumentFormat(output.format)) continue
      const signedIn = manifest.signed_in
      // A run over Orgs reads each export in its own Org; any other run in the Org it signed in to.
      const user = signedIn === undefined ? undefined : { ...signedIn, org: output.org ?? signedIn.org }
      const writer = { host: manifest.host, user, merge: manifest.command === "merge" }
      writers.set(output.file, [...(writers.get(output.file) ?? []), writer])
      if (manifest.host !== host) continue
      documents.set(output.file, {
        file: output.file,
        export: output.export,
        format: output.format,
        type: output.source.type,
        id: output.source.id,
        sha256: output.sha256
      })
    }
    for (const status of manifest.exports) {
      for (const removed of status.removed ?? []) {
        documents.delete(removed.file)
        writers.delete(removed.file)
      }
    }
  }
  return new Map([...documents].map(([file, d]) => [file, { ...d, writers: writers.get(file) ?? [] }]))
}

/** A file the run removes: why, and what its bytes must hash to for it to be spotpipe's still. */
export interface Removal {
  readonly file: string
  /** `deleted`: its object is no longer listed; `renamed`: its object's file is now another one. */
  readonly reason: "deleted" | "renamed"
  /** One line for the manifest, `--json` and the log. */
  readonly detail: string
  readonly sha256: string
  /** Who read the listings that wrote it (see {@link vouchedRemovals}). */
  readonly writers: ReadonlyArray<Writer>
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
            sha256: d.sha256,
            writers: d.writers
          }
        : {
            file: d.file,
            reason: "renamed",
            detail: `${d.type.toLowerCase()} ${d.id} is now written to ${now}`,
            sha256: d.sha256,
            writers: d.writers
          }
    )
  }
  return { removals, warnings: [] }
}

const sameUser = (a: SignedInUser, b: SignedInUser): boolean =>
  a.id === b.id && (a.org?.id ?? null) === (b.org?.id ?? null)

const inOrg = (user: SignedInUser): string => (user.org === null ? "" : ` in Org "${user.org.name}" (${user.org.id})`)

/** A user as a warning names them: name, GUID and Org. */
const whoIs = (user: SignedInUser): string => `user "${user.name}" (${user.id})${inOrg(user)}`

/** Whose listing wrote a record, and how to run as them; `host`: this run's cluster (another one is named). */
const writerOf = (writer: Writer, host: string): { readonly who: string; readonly runAs: string } => {
  const on = writer.host === host ? "" : ` on ${writer.host}`
  const unknown = writer.merge
    ? "a spotpipe merge of shards that did not read as one user"
    : "a run of an earlier spotpipe version"
  return writer.user === undefined
    ? { who: `${unknown}${on}`, runAs: `the user whose listing it was${on}` }
    : { who: `${whoIs(writer.user)}${on}`, runAs: `${writer.user.name}${inOrg(writer.user)}${on}` }
}

/**
 * How a file whose records name no user came to be (`n` files): by earlier versions, whose manifests do not record
 * one, or only listed by merges whose shards did not read as one user (`merge`: all its records are a merge's).
 */
const unrecorded = (merge: boolean, n: number): string => {
  const was = n === 1 ? "it was" : "they were"
  return merge
    ? `${was} listed only by spotpipe merge, whose shards did not read as one user (its manifest's warnings name them)`
    : `${was} written by an earlier spotpipe version, whose manifests do not say whose listing ${n === 1 ? "it" : "they"} came from`
}

/** Whose listings wrote a file, against this run's `user` on `host` (see {@link vouchedRemovals}). */
type Whose =
  | { readonly _tag: "Mine" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Older"; readonly user: SignedInUser; readonly merge: boolean }
  | { readonly _tag: "Others"; readonly user: SignedInUser; readonly who: string; readonly runAs: string }

const whose = (writers: ReadonlyArray<Writer>, host: string, user: SignedInUser | undefined): Whose => {
  if (user === undefined) return { _tag: "Unknown" }
  const others = writers.filter((w) => w.host !== host || (w.user !== undefined && !sameUser(w.user, user)))
  if (others.length > 0) {
    const named = [...new Map(others.map((w) => [JSON.stringify(writerOf(w, host)), writerOf(w, host)])).values()]
    return {
      _tag: "Others",
      user,
      who: named.map((w) => w.who).join(" and "),
      runAs: named.map((w) => w.runAs).join(" or ")
    }
  }
  return writers.some((w) => w.user !== undefined)
    ? { _tag: "Mine" }
    : { _tag: "Older", user, merge: writers.length > 0 && writers.every((w) => w.merge) }
}

/**
 * The removals of `plan` (export `key`) that a run on `host` signed in as `user` (in the export's Org; undefined:
 * not known) may make: a file only when every record of it since it was last removed was read by that user on that
 * cluster in that Org, and at least one did say so (records of versions that did not record the user count neither
 * way). A listing holds only what its user may see, so a file another user's listing wrote may be of an object
 * only hidden from this one. The others are kept, with one warning for each whose they are, listing every file;
 * `say` names the export's settings in its user's words (a job file's `modifiedSince`).
 */
export const vouchedRemovals = (
  plan: RemovalPlan,
  key: string,
  host: string,
  user: SignedInUser | undefined,
  say: SettingNames = commandLineNames
): RemovalPlan => {
  if (plan.removals.length === 0) return plan
  const removals: Array<Removal> = []
  const kept = new Map<string, { readonly files: Array<string>; readonly why: (n: number) => string }>()
  const keep = (group: string, removal: Removal, why: (n: number) => string) => {
    const known = kept.get(group)
    if (known === undefined) kept.set(group, { files: [removal.file], why })
    else known.files.push(removal.file)
  }
  const they = (n: number, one: string, many: string) => (n === 1 ? one : many)
  for (const removal of plan.removals) {
    const writers = whose(removal.writers, host, user)
    if (writers._tag === "Unknown") {
      keep("unknown", removal, (n) => {
        const theirs = they(n, "its object is", "their objects are")
        return `this run could not learn which user it is signed in as, so it cannot tell whether ${theirs} gone or only hidden from that user; a later run that learns it removes ${they(n, "it", "them")}`
      })
    } else if (writers._tag === "Others") {
      const { who, runAs } = writers
      keep(`others ${who}`, removal, (n) => {
        const theirs = they(n, "its object", "their objects")
        return `${they(n, "it was", "they were")} written from the listing of ${who}, and this run reads as ${whoIs(writers.user)}, who may not see ${theirs}: a file is removed only by a run as the user whose listing wrote it, on the same cluster and in the same Org; run as ${runAs} to remove those of objects gone, or remove ${they(n, "it", "them")} by hand if ${theirs} ${they(n, "is", "are")} gone`
      })
    } else if (writers._tag === "Older") {
      keep(writers.merge ? "merge" : "older", removal, (n) => {
        const theirs = they(n, "its object", "their objects")
        return `${unrecorded(writers.merge, n)}, so ${theirs} may be only hidden from ${whoIs(writers.user)}; remove ${they(n, "it", "them")} by hand if ${theirs} ${they(n, "is", "are")} gone, and run once without ${say.named("modifiedSince")} as the user whose copy this folder is (each file it writes records that user), so that later runs remove such files themselves`
      })
    } else removals.push(removal)
  }
  const warnings = [...kept.values()].map(({ files, why }) => {
    const n = files.length
    const head = `${key}: ${n} ${n === 1 ? "file was" : "files were"} not removed although ${n === 1 ? "its object is" : "their objects are"} not in this run's listing (or now written to another file)`
    return `${head}: ${why(n)}: ${files.join(", ")}`
  })
  return { removals, warnings: [...plan.warnings, ...warnings] }
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

/**
 * Refuses to write the document of `source` to `file` when the file holds, as an earlier run recorded it and its
 * bytes still are, another object's document that this export does not write elsewhere and whose listings were not
 * all this run's user's (see {@link vouchedRemovals}): file names are handed out over the listing, so a user who does
 * not see a namesake names its own object's file as the namesake's, and writing it would put one object's document
 * where another's was. The document is then a failed item of the export, and the file stays as it was.
 */
export const refuseReplacing = (
  earlier: EarlierDocuments,
  outDir: string,
  file: string,
  source: { readonly type: string; readonly id: string | null },
  written: ReadonlySet<string>,
  host: string,
  user: SignedInUser | undefined
): Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const d = earlier.get(file)
    if (d === undefined || (d.type === source.type && d.id === source.id)) return
    if (d.id !== null && written.has(idKey(d.type, d.id))) return
    const writers = whose(d.writers, host, user)
    if (writers._tag === "Mine" || (yield* checkRemoval(outDir, d)) !== "remove") return
    const holds = `${file} holds the TML of ${d.type.toLowerCase()} ${d.id ?? "(no GUID)"}`
    const instead = `does not list that object (hidden from it, or gone) and would write ${source.type.toLowerCase()} ${source.id ?? "(no GUID)"} there instead: the file was left as it is`
    return yield* new ExportError({
      kind: "OutputExists",
      message:
        writers._tag === "Others"
          ? `${holds}, written from the listing of ${writers.who}; this run, as ${whoIs(writers.user)}, ${instead}. Run as ${writers.runAs}, or export into another folder`
          : writers._tag === "Older"
            ? `${holds}; ${unrecorded(writers.merge, 1)}; this run, as ${whoIs(writers.user)}, ${instead}. If that object is gone, remove the file by hand and run again; else run as the user whose copy this folder is, or export into another folder`
            : `${holds}; this run, which could not learn which user it is signed in as, ${instead}. Run again`
    })
  })

/** The key of an object in {@link planRemovals}'s `current`. */
export const idKey = (type: string, id: string): string => `${type}\u0000${id}`

/** What is on disk at a planned removal: spotpipe's file as recorded, a changed one, or none. */
export type RemovalCheck = "remove" | "changed" | "gone"

/** Checks a planned removal's file under `outDir`: whether it is still the bytes the manifest recorded. */
export const checkRemoval = (
  outDir: string,
  removal: Pick<Removal, "file" | "sha256">
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
