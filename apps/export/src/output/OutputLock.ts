/**
 * One writer per output directory. Every run that writes files takes a lock file in the output directory
 * (`.spotpipe.lock`; a shard of a batch job `.spotpipe.shard-<i>-of-<n>.lock`, so that shards may share a
 * directory), created exclusively and holding the pid, host name and start time. A second run on the same
 * directory fails with one line naming the first; a lock left by a killed run (its pid no longer alive on this
 * host) is taken over with a warning, one run at a time ({@link takeOver}), so that of several runs started
 * together on such a directory exactly one goes on.
 *
 * Under the lock, temp files of spotpipe's own naming (`.<name>.<pid>-<8 hex>.tmp`, in the directory and its
 * folders; checkpoint temps in the resume state) whose process is gone are removed with a warning: a SIGKILL
 * leaves them, and nothing else would. Only when no other lock is present, since a pid says nothing about a
 * process on another host sharing the directory. Nothing else is ever removed.
 *
 * The output directory is created only here, when a run is about to write; on release, the directories this
 * run created are removed again if they are empty (nothing was published).
 *
 * {@link tryLockFile} is the lock itself, also taken beside the config file while `spotpipe config` changes it.
 */
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import { Effect, FileSystem, Path, type Scope } from "effect"
import { ExportError } from "../ExportError.ts"
import { fileError, tempFilePattern } from "./AtomicFile.ts"

/** The lock file of a whole run (a single command, or `spotpipe run` without `--shard`). */
export const lockFileName = ".spotpipe.lock"

/** The lock file of shard `index` of `count`. */
export const shardLockFileName = (index: number, count: number): string => `.spotpipe.shard-${index}-of-${count}.lock`

const isLockName = (name: string) => name === lockFileName || /^\.spotpipe\.shard-\d+-of-\d+\.lock$/.test(name)

/** What a lock file holds. */
interface LockInfo {
  readonly pid: number
  readonly hostname: string
  readonly started_at: string
}

const parseLock = (text: string): LockInfo | undefined => {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>
    return typeof value.pid === "number" && typeof value.hostname === "string" && typeof value.started_at === "string"
      ? (value as LockInfo)
      : undefined
  } catch {
    return undefined
  }
}

/** True unless the process `pid` is known not to exist on this host. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== "ESRCH"
  }
}

// A lock file that is still empty or torn this long after it was written is a leftover of a killed run.
const tornLockMillis = 60_000

/** The state directory's checkpoint temps: `<name>.checkpoint.json.<pid>-<8 hex>.tmp`. */
const stateTempPattern = /^.+\.(\d+)-[0-9a-f]{8}\.tmp$/

/** The resume state folder of batch runs inside the output directory. */
export const stateDirName = ".spotpipe-state"

/** Takes the lock on `dir` for the rest of the scope (creating `dir` if needed), then removes stale temp files. */
export const lockOutputDirectory = (
  dir: string,
  options: { readonly lockName?: string } = {}
): Effect.Effect<void, ExportError, Scope.Scope | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const lockName = options.lockName ?? lockFileName
    const lockPath = path.join(dir, lockName)
    const orFail = <A, R>(effect: Effect.Effect<A, unknown, R>, at: string) =>
      Effect.mapError(effect, (e) =>
        typeof e === "object" && e !== null && "_tag" in e && e._tag === "PlatformError"
          ? fileError(at, e as Parameters<typeof fileError>[1])
          : new ExportError({ kind: "Io", message: `cannot write ${at}: ${String(e)}` })
      )

    // The directories this run creates, outermost first: removed again at the end if still empty.
    const created: Array<string> = []
    for (let at = path.resolve(dir); !(yield* orFail(fs.exists(at), at)); at = path.dirname(at)) {
      created.unshift(at)
      if (path.dirname(at) === at) break
    }
    yield* orFail(fs.makeDirectory(dir, { recursive: true }), dir)

    const holder = yield* tryLockFile(lockPath, (error) =>
      ["EACCES", "EPERM", "EROFS"].includes(String((error as NodeJS.ErrnoException).code))
        ? new ExportError({
            kind: "Io",
            message: `permission denied writing ${dir}: choose an --out directory you can write to`,
            cause: error
          })
        : new ExportError({
            kind: "Io",
            message: `cannot create ${lockPath}: ${error instanceof Error ? error.message : String(error)}`,
            cause: error
          })
    )
    if (holder !== undefined) {
      return yield* new ExportError({
        kind: "Io",
        message: `another spotpipe run (${holder}) is writing to ${dir}: wait for it or use another --out (remove ${lockPath} only if no such run exists)`
      })
    }

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* fs.remove(lockPath).pipe(Effect.ignore)
        // Deepest first; rmdir refuses a directory that is not empty, so only what held nothing goes.
        for (const at of [...created].reverse()) {
          yield* Effect.tryPromise(() => NodeFs.rmdir(at)).pipe(Effect.ignore)
        }
      })
    )

    yield* removeStaleTemps(dir, lockName)
  })

/**
 * Tries once to take the lock file `lockPath` for this process: created exclusively, holding the pid, host name and
 * start time. A lock left by a process that no longer exists on this host (or left torn a minute ago) is taken
 * over with a warning. Succeeds with `undefined` when the lock is this process's (the caller removes it when
 * done), else with who holds it, for a message: `pid 12, started …` (`on HOST` when another host's). A failure to
 * create the file is `cannotCreate`'s error.
 */
export const tryLockFile = <E>(
  lockPath: string,
  cannotCreate: (error: unknown) => E
): Effect.Effect<string | undefined, E, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const hostname = NodeOs.hostname()
    const mine: LockInfo = { pid: process.pid, hostname, started_at: new Date().toISOString() }
    // true: created; false: it exists already.
    const tryCreate = Effect.tryPromise({
      try: async () => {
        try {
          const handle = await NodeFs.open(lockPath, "wx", 0o644)
          try {
            await handle.writeFile(`${JSON.stringify(mine)}\n`, "utf8")
          } finally {
            await handle.close()
          }
          return true
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
          throw error
        }
      },
      catch: cannotCreate
    })

    // A lock that vanishes while it is read (its run just ended) or is taken over by another run at the same
    // moment is looked at again, a few times at most.
    for (let attempt = 1; !(yield* tryCreate); attempt++) {
      if (attempt > 1) yield* Effect.sleep(5 * attempt) // another run may be mid-takeover
      const text = yield* fs.readFileString(lockPath).pipe(Effect.option)
      if (text._tag === "None" && attempt < 3) continue
      const holder = text._tag === "Some" ? parseLock(text.value) : undefined
      const age = yield* Effect.tryPromise(() => NodeFs.stat(lockPath)).pipe(
        Effect.map((info) => Date.now() - info.mtimeMs),
        Effect.orElseSucceed(() => 0)
      )
      const stale = holder === undefined ? age > tornLockMillis : holder.hostname === hostname && !isAlive(holder.pid)
      if (!stale || attempt >= 3) {
        return holder === undefined
          ? "its lock file is being written"
          : `pid ${holder.pid}${holder.hostname === hostname ? "" : ` on ${holder.hostname}`}, started ${holder.started_at}`
      }
      yield* Effect.logWarning(
        holder === undefined
          ? `${lockPath} was left unfinished by a run that no longer exists: taking it over`
          : `${lockPath} was left by spotpipe (pid ${holder.pid}, started ${holder.started_at}), which is no longer running: taking it over`
      )
      yield* takeOver(lockPath, text._tag === "Some" ? text.value : "")
    }
    return undefined
  })

/**
 * Removes the stale lock `lockPath` if it still holds `seen`, under a guard file beside it (`<lock>.takeover`,
 * created exclusively). Without the guard two runs that judged the same lock stale could both remove it, the
 * later one removing the lock the first had just created, and both would go on writing. A guard a run left when
 * it was killed mid-takeover is removed once it is as old as a torn lock may be. Returns whether it looked (it
 * does not when another run holds the guard); either way the caller tries to create the lock again.
 */
export const takeOver = (lockPath: string, seen: string): Effect.Effect<boolean, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const guard = `${lockPath}.takeover`
    const guarded = yield* Effect.tryPromise(async () => {
      await (await NodeFs.open(guard, "wx", 0o644)).close()
    }).pipe(Effect.isSuccess)
    if (!guarded) {
      const age = yield* Effect.tryPromise(() => NodeFs.stat(guard)).pipe(
        Effect.map((info) => Date.now() - info.mtimeMs),
        Effect.orElseSucceed(() => 0)
      )
      if (age > tornLockMillis) yield* fs.remove(guard).pipe(Effect.ignore)
      return false
    }
    // Gone already is fine; one that cannot be removed shows up again as taken on the next look.
    const now = yield* fs.readFileString(lockPath).pipe(Effect.option)
    if (now._tag === "Some" && now.value === seen) yield* fs.remove(lockPath).pipe(Effect.ignore)
    yield* fs.remove(guard).pipe(Effect.ignore)
    return true
  })

/** Removes temp files of our naming whose writer is gone (see the module comment). */
const removeStaleTemps = (dir: string, lockName: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const list = (at: string) => fs.readDirectory(at).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const top = yield* list(dir)
    if (top.some((name) => isLockName(name) && name !== lockName)) return
    const candidates: Array<readonly [string, RegExp]> = []
    for (const name of top) {
      const full = path.join(dir, name)
      candidates.push([full, tempFilePattern])
      const info = yield* fs.stat(full).pipe(Effect.option)
      if (info._tag === "Some" && info.value.type === "Directory") {
        const pattern = name === stateDirName ? stateTempPattern : tempFilePattern
        for (const inner of yield* list(full)) candidates.push([path.join(full, inner), pattern])
      }
    }
    for (const [full, pattern] of candidates) {
      const match = pattern.exec(path.basename(full))
      if (match === null) continue
      const pid = Number(match[1])
      if (pid === process.pid || isAlive(pid)) continue
      const removed = yield* fs.remove(full).pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false)
      )
      if (removed)
        yield* Effect.logWarning(`removed ${full}, a temp file left by a run that no longer exists (pid ${pid})`)
    }
  })
