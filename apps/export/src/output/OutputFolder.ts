/**
 * The output folder (`--out DIR`), checked before any request and without creating it: the nearest folder that
 * exists is found by walking up from DIR, and must be a folder (not a file) that this user can write to on a
 * writable file system. When DIR does not exist yet, a uniquely named folder is made in that nearest folder and
 * removed again at once: a place that refuses new folders (`/proc`, where Node's recursive mkdir loops forever)
 * is then a clear error instead of a hang, and nothing is left behind. Every failure is a usage error (exit 2)
 * that names the path and says what to do — never a file-system error's internal name.
 *
 * `spotpipe demo` also claims its folder here: it writes only into a folder it created (marked with
 * {@link demoMarker}) or an empty one, since it replaces the files it finds there.
 */
import { randomBytes } from "node:crypto"
import { Effect, FileSystem, Path, type PlatformError } from "effect"
import { UsageError } from "../UsageError.ts"

/** The errno code of a file-system failure (`ENOENT`, `EACCES`, …), when it has one. */
export const errnoCode = (error: PlatformError.PlatformError): string | undefined => {
  const cause = error.reason.cause
  return typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined
}

/**
 * Why a folder at `path` cannot be written (or created), and what to do, for an errno `code` the user can
 * cause; `flag` names the option that chose the folder.
 */
export const folderProblem = (path: string, code: string | undefined, flag = "--out"): string => {
  switch (code) {
    case "ENOTDIR":
    case "EEXIST":
      return `cannot write to ${path}: it is a file, not a folder; pass a folder to ${flag}`
    case "EACCES":
    case "EPERM":
      return `cannot write to ${path}: permission denied; pass a folder you can write to ${flag}, or change its permissions`
    case "EROFS":
      return `cannot write to ${path}: the file system is read-only; pass a folder on a writable disk to ${flag}`
    case "ENOSPC":
    case "EDQUOT":
      return `cannot write to ${path}: the disk is full; free some space, or pass a folder on another disk to ${flag}`
    case "ENAMETOOLONG":
      return `cannot create the folder ${path}: the path is too long; pass a shorter path to ${flag}`
    default:
      return `cannot write to ${path}${code === undefined ? "" : ` (${code})`}; pass another folder to ${flag}`
  }
}

/**
 * Why the file at `path` (an output, its temp file or its folder) cannot be written mid-export, and what to do,
 * for an errno `code` the user can cause: something in the way, no permission, a read-only or full disk. `action`
 * is what could not be done to it (`create` for a lock file).
 */
export const fileProblem = (
  path: string,
  code: string | undefined,
  flag = "--out",
  action: "write to" | "create" = "write to"
): string => {
  switch (code) {
    // EEXIST: a folder made where a file of that name is (the resume state's `.spotpipe-state`).
    case "ENOTDIR":
    case "EEXIST":
      return `cannot ${action} ${path}: a part of that path is a file, not a folder; move the file away or pass another folder to ${flag}`
    case "EISDIR":
      return `cannot ${action} ${path}: a folder of that name is in the way; move it away or pass another folder to ${flag}`
    case "EACCES":
    case "EPERM":
    case "EROFS":
    case "ENOSPC":
    case "EDQUOT":
      return folderProblem(path, code, flag)
    case "EFBIG":
      // A file system's own limit (FAT32: 4 GiB) or the process's (`ulimit -f`): the folder itself is fine.
      return `cannot ${action} ${path}: the file would be larger than this file system or this process's file-size limit (ulimit -f) allows; pass a folder on another file system to ${flag}, or raise the limit`
    default:
      return `cannot ${action} ${path}${code === undefined ? "" : ` (${code})`}: check that its folder still exists and can be written, or pass another folder to ${flag}`
  }
}

/** Why the input file `what` (e.g. `the job file job.json`) cannot be read, for an errno `code`. */
export const readProblem = (what: string, code: string | undefined): string => {
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return `cannot read ${what}: there is no such file; check the path`
    case "EISDIR":
      return `cannot read ${what}: it is a folder, not a file; pass the file's path`
    case "EACCES":
    case "EPERM":
      return `cannot read ${what}: permission denied; check the file's permissions`
    default:
      return `cannot read ${what}${code === undefined ? "" : ` (${code})`}: check the path`
  }
}

/** A checked output folder: its absolute path and the levels still to create, outermost first. */
export interface FolderPlan {
  readonly given: string
  readonly absolute: string
  readonly missing: ReadonlyArray<string>
}

const fail = (message: string) => Effect.fail(new UsageError({ message }))

/**
 * Checks `dir` (see the module comment); creates nothing. Returns the levels a run will create, for
 * {@link createOutputFolder}.
 */
export const checkOutputFolder = Effect.fn("OutputFolder.check")(function* (dir: string, flag = "--out") {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const absolute = path.resolve(dir)
  const missing: Array<string> = []
  let current = absolute
  for (;;) {
    const info = yield* fs.stat(current).pipe(
      Effect.map((i) => ({ _tag: "Found" as const, type: i.type })),
      Effect.catch((e: PlatformError.PlatformError) => Effect.succeed({ _tag: "Missing" as const, code: errnoCode(e) }))
    )
    if (info._tag === "Found") {
      if (info.type !== "Directory") {
        return yield* fail(
          current === absolute
            ? folderProblem(dir, "ENOTDIR", flag)
            : `cannot create the folder ${dir}: ${current} is a file, not a folder; pass a folder to ${flag}`
        )
      }
      break
    }
    // ENOTDIR: a level above is a file; walking up finds it and says so.
    if (info.code !== "ENOENT" && info.code !== "ENOTDIR") return yield* fail(folderProblem(dir, info.code, flag))
    if (info.code === "ENOENT") missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) return yield* fail(folderProblem(dir, info.code, flag))
    current = parent
  }
  const writable = yield* fs.access(current, { writable: true }).pipe(
    Effect.as(undefined),
    Effect.catch((e: PlatformError.PlatformError) => Effect.succeed(errnoCode(e) ?? "EACCES"))
  )
  if (writable !== undefined) return yield* fail(folderProblem(current === absolute ? dir : current, writable, flag))
  if (missing.length > 0) {
    // A folder that is not DIR itself, so that nothing another process sees is created or removed.
    const probe = path.join(current, `.spotpipe-probe-${process.pid}-${randomBytes(4).toString("hex")}`)
    const code = yield* fs.makeDirectory(probe).pipe(
      Effect.as(undefined),
      Effect.catch((e: PlatformError.PlatformError) => Effect.succeed(errnoCode(e) ?? "EIO"))
    )
    if (code !== undefined) return yield* fail(creationProblem(dir, current, code, flag))
    yield* fs.remove(probe, { recursive: true }).pipe(Effect.ignore)
  }
  const plan: FolderPlan = { given: dir, absolute, missing }
  return plan
})

const creationProblem = (given: string, parent: string, code: string, flag: string) =>
  code === "ENOENT"
    ? `cannot create the folder ${given}: ${parent} does not accept new folders (a virtual file system such as /proc or /sys); pass a folder on an ordinary disk to ${flag}`
    : folderProblem(given, code, flag)

/** Creates the missing levels of a checked folder one at a time (the demo's folder, which it marks at once). */
export const createOutputFolder = Effect.fn("OutputFolder.create")(function* (plan: FolderPlan, flag = "--out") {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  for (const level of plan.missing) {
    const code = yield* fs.makeDirectory(level).pipe(
      Effect.as(undefined),
      Effect.catch((e: PlatformError.PlatformError) => Effect.succeed(errnoCode(e) ?? "EIO"))
    )
    if (code === undefined) continue
    // Another process (a parallel shard) may have created it meanwhile: fine if it is a folder.
    if (code === "EEXIST") {
      const isFolder = yield* fs.stat(level).pipe(
        Effect.map((i) => i.type === "Directory"),
        Effect.orElseSucceed(() => false)
      )
      if (isFolder) continue
    }
    return yield* fail(creationProblem(plan.given, path.dirname(level), code, flag))
  }
})

/** The file that marks a folder as `spotpipe demo`'s own. */
export const demoMarker = ".spotpipe-demo"

/**
 * Makes `dir` the demo's folder: a folder it made before (with the marker) is reused, a new or empty one is
 * marked; a folder with other files in it is refused, since the demo replaces files by name.
 */
export const claimDemoFolder = Effect.fn("OutputFolder.claimDemoFolder")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* createOutputFolder(yield* checkOutputFolder(dir))
  const marker = path.join(dir, demoMarker)
  const entries = yield* fs
    .readDirectory(dir)
    .pipe(Effect.catch((e: PlatformError.PlatformError) => fail(folderProblem(dir, errnoCode(e)))))
  if (entries.includes(demoMarker)) return
  if (entries.length > 0) {
    return yield* fail(
      `${dir} already holds files that spotpipe demo did not write, and the demo replaces files by name: pass --out with a new or empty folder (the demo marks its folders with a ${demoMarker} file)`
    )
  }
  yield* fs
    .writeFileString(
      marker,
      "This folder holds the output of `spotpipe demo`, which replaces it on every run. Delete this file to keep the demo out.\n"
    )
    .pipe(Effect.catch((e: PlatformError.PlatformError) => fail(folderProblem(dir, errnoCode(e)))))
})
