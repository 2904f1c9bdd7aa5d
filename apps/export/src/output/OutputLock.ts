/**
 * One writer per output directory. Every run that writes files takes a lock file in the output directory, created
 * exclusively and holding the pid, host name, start time and what the run is (`spotpipe run job.json --shard 1/2`);
 * it appears with its holder already written ({@link createHolding}), never empty.
 * In one directory, at any moment, there is either one run that is not a shard (a single command, `spotpipe run`
 * without `--shard`, a merge), holding `.spotpipe.lock`, or any number of shards of one sharding of one job (the
 * same count n, the same job), each holding `.spotpipe.shard-<i>-of-<n>.lock` — never a mix: the shards' files
 * are a whole run's only together, and a mix would continue or replace each other's partial files.
 *
 * One mechanism keeps that without a race: `.spotpipe.lock` is also the mutex a shard holds while it registers (it
 * checks that no other run holds it, that no live shard lock of another count or job is present, creates its own
 * shard lock, then releases it), and a run that is not a shard, holding it for the whole run, first checks that no
 * live shard lock is present (marked as registering meanwhile, so that a shard that comes then waits for the
 * outcome rather than being turned away by a run that is about to give up). A run that finds `.spotpipe.lock`
 * held by a run registering, or being written, waits a moment for it. A run that finds another run fails with one
 * line naming it. A lock left by a killed run (its pid no longer alive on this host, or alive as this very process,
 * a restarted container's, which did not write it; or taken by an earlier attempt of this AWS Batch job, on any
 * host) is taken over with a warning,
 * one run at a time ({@link takeOver}), so that of several runs started together on such a directory exactly one
 * goes on; a stale shard lock in the way is removed the same way.
 *
 * Under the lock, temp files of spotpipe's own naming (`.<name>.<pid>-<8 hex>.tmp`, in the directory and its
 * folders; checkpoint temps in the resume state) whose process is gone (or whose pid is this process's, which has
 * written none there yet) are removed with a warning: a SIGKILL
 * leaves them, and nothing else would. Only when no other lock is present, since a pid says nothing about a
 * process on another host sharing the directory. Nothing else is ever removed.
 *
 * The output directory is created only here, when a run is about to write; on release, the directories this
 * run created are removed again if they are empty (nothing was published).
 *
 * {@link tryLockFile} is the lock itself, also taken beside the config file while `spotpipe config` changes it.
 * {@link peekOutputLock} and {@link runWritingIn} only read the lock files: what a run would find (a dry run), and
 * whether a run is writing now (a load of a folder with no finished run).
 */
import { randomUUID } from "node:crypto"
import * as NodeFsSync from "node:fs"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Clock, Effect, FileSystem, Path, type Scope } from "effect"
import { ExportError } from "../ExportError.ts"
import { errnoFileError, fileError, tempFileName, tempFilePattern } from "./AtomicFile.ts"
import { checkOutputFolder, fileProblem } from "./OutputFolder.ts"

/** The lock file of a whole run (a single command, or `spotpipe run` without `--shard`). */
export const lockFileName = ".spotpipe.lock"

/** The lock file of shard `index` of `count`. */
export const shardLockFileName = (index: number, count: number): string => `.spotpipe.shard-${index}-of-${count}.lock`

const shardLockPattern = /^\.spotpipe\.shard-(\d+)-of-(\d+)\.lock$/

const isLockName = (name: string) => name === lockFileName || shardLockPattern.test(name)

/**
 * This process among those that had its pid on this host: a container's process has the same pid (often 1) and
 * host name in every restart of it (a retried Kubernetes pod of an Indexed Job), so a lock its killed predecessor
 * left names a pid that is alive — this very process — and only this tells the two apart.
 */
const instance = randomUUID()

/** An AWS Batch job and its attempt: `AWS_BATCH_JOB_ID` (`<array job>:<index>` for a child) and `…_ATTEMPT`. */
interface Attempt {
  readonly job: string
  readonly number: number
}

/** This process's AWS Batch attempt, when AWS Batch started it. */
const attemptOfThisProcess = (): Attempt | undefined => {
  const job = process.env["AWS_BATCH_JOB_ID"]
  const number = Number(process.env["AWS_BATCH_JOB_ATTEMPT"])
  return job === undefined || job === "" || !Number.isSafeInteger(number) ? undefined : { job, number }
}

/** What a lock file holds. */
interface LockInfo {
  readonly pid: number
  readonly hostname: string
  readonly started_at: string
  /** Which process of that pid holds it ({@link instance}); absent in older locks. */
  readonly instance?: string
  /**
   * The AWS Batch attempt that holds it: AWS Batch starts an attempt once the one before it ended, on a host (and
   * host name) of its own, so a lock of an earlier attempt of the same job is stale wherever it was taken.
   */
  readonly attempt?: Attempt
  /** What the run is, for messages (`spotpipe run job.json --shard 1/2`); absent in older locks. */
  readonly command?: string
  /** The fingerprint of the job a shard runs: shards of different jobs never share a directory. */
  readonly job?: string
  /**
   * In `.spotpipe.lock` while its run registers, which takes a moment: a shard holds it only until its own lock is
   * taken; a run that is not a shard, until it has found no shard at work (then it holds it plainly).
   */
  readonly registering?: boolean
}

const parseLock = (text: string): LockInfo | undefined => {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> | null
    // A pid no process has (a damaged 0, -1 or 1e300, which `kill` reads as a process group, all processes, or
    // refuses) is a torn lock: read as a pid, it would look alive for ever.
    return typeof value?.pid === "number" &&
      Number.isSafeInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.hostname === "string" &&
      typeof value.started_at === "string"
      ? (value as LockInfo)
      : undefined
  } catch {
    return undefined
  }
}

/** True unless the process `pid` is known not to exist on this host (a zombie, on Linux, does not). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false
  }
  return !isZombie(pid)
}

/**
 * Whether `pid` has exited and only waits for its parent to reap it (`Z` in /proc/<pid>/stat): `kill(pid, 0)`
 * counts it as alive, and a run killed a moment ago by `timeout -s KILL` is one until its parent reaps it. Linux
 * only; elsewhere, or when /proc cannot be read, the process counts as alive as before.
 */
const isZombie = (pid: number): boolean => {
  if (process.platform !== "linux") return false
  let stat: string
  try {
    stat = NodeFsSync.readFileSync(`/proc/${pid}/stat`, "latin1")
  } catch {
    return false
  }
  // "pid (comm) S …": the name may hold spaces and parentheses, the state follows the last ")".
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
  return state === "Z" || state === "X"
}

// A lock file that is still empty or torn this long after it was written is a leftover of a killed run.
const tornLockMillis = 60_000

// How long a run waits for `.spotpipe.lock` while another run registers: moments normally, longer with many shards
// starting together on a slow shared volume.
const registeringMillis = 30_000

// A lock created, then written (an earlier version's, or on a file system without hard links) and empty for less
// than this is being written right now.
const beingWrittenMillis = 2_000

/** The state directory's checkpoint temps: `<name>.checkpoint.json.<pid>-<8 hex>.tmp`. */
const stateTempPattern = /^.+\.(\d+)-[0-9a-f]{8}\.tmp$/

/** The resume state folder of batch runs inside the output directory. */
export const stateDirName = ".spotpipe-state"

/** Which run takes the lock, for {@link lockOutputDirectory}. */
export interface LockOptions {
  /** A shard of a batch job (`count` above 1); else the run is not a shard. */
  readonly shard?: { readonly index: number; readonly count: number }
  /** What the run is, named to a run it keeps out: `spotpipe run job.json --shard 1/2`. */
  readonly command?: string
  /** The job's fingerprint: a shard shares the directory only with shards of the same job. */
  readonly job?: string
  /**
   * Folders of the directory (names) to remove at the end if they are empty, when no other run works there: a
   * shard leaves them to the last shard, since another one may be about to write into them.
   */
  readonly removeIfEmpty?: ReadonlyArray<string>
}

/**
 * Takes the lock on `dir` for the rest of the scope (creating `dir` if needed), then removes stale temp files.
 * Fails when another run writes there that this one may not write beside (see the module comment).
 */
export const lockOutputDirectory = (
  dir: string,
  options: LockOptions = {}
): Effect.Effect<void, ExportError, Scope.Scope | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const shard = options.shard !== undefined && options.shard.count > 1 ? options.shard : undefined
    const mainPath = path.join(dir, lockFileName)
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
    yield* fs.makeDirectory(dir, { recursive: true }).pipe(
      // Said by the rule of a run's --out check (a recursive mkdir on a read-only disk fails with ENOENT).
      Effect.catch((error) =>
        Effect.andThen(
          checkOutputFolder(dir).pipe(
            Effect.mapError((problem) => new ExportError({ kind: "Io", message: problem.message, cause: error }))
          ),
          Effect.fail(fileError(dir, error))
        )
      )
    )
    // Registered first, so it runs last: after the lock files are gone.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        // Deepest first; rmdir refuses a directory that is not empty, so only what held nothing goes.
        for (const at of [...created].reverse()) {
          yield* Effect.tryPromise(() => NodeFs.rmdir(at)).pipe(Effect.ignore)
        }
      })
    )

    // What is wrong and what to do, never the errno's own text.
    const cannotCreate = (lockPath: string) => (error: unknown) => {
      const found = typeof error === "object" && error !== null ? (error as NodeJS.ErrnoException).code : undefined
      const code = typeof found === "string" ? found : undefined
      if (code === "EACCES" || code === "EPERM") {
        return new ExportError({
          kind: "Io",
          message: `permission denied writing ${dir}: choose an --out directory you can write to`,
          cause: error
        })
      }
      if (code === "ENOSPC" || code === "EDQUOT") return errnoFileError(lockPath, code, error)
      return new ExportError({ kind: "Io", message: fileProblem(lockPath, code, "--out", "create"), cause: error })
    }
    const busy = (lockPath: string, found: Held, who: string, why: string) => busyError(dir, lockPath, found, who, why)
    const mine: LockInfo = {
      pid: process.pid,
      hostname: NodeOs.hostname(),
      started_at: new Date().toISOString(),
      instance,
      ...withAttempt(),
      ...(options.command === undefined ? {} : { command: options.command }),
      ...(options.job === undefined ? {} : { job: options.job })
    }
    /** Removes `lockPath` at the end of the scope if this run created it (`taken` set just after). */
    const releaseAtEnd = (lockPath: string) =>
      Effect.gen(function* () {
        const state = { taken: false }
        yield* Effect.addFinalizer(() => (state.taken ? fs.remove(lockPath).pipe(Effect.ignore) : Effect.void))
        return state
      })
    // rmdir refuses a folder that is not empty: only what holds nothing goes.
    const removeEmptyFolders = Effect.forEach(
      options.removeIfEmpty ?? [],
      (name) => Effect.tryPromise(() => NodeFs.rmdir(path.join(dir, name))).pipe(Effect.ignore),
      { discard: true }
    )
    const shardLocks = Effect.map(
      fs.readDirectory(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => [])),
      (names) =>
        names.flatMap((name) => {
          const match = shardLockPattern.exec(name)
          return match === null ? [] : [{ name, index: Number(match[1]), count: Number(match[2]) }]
        })
    )

    if (shard === undefined) {
      const main = yield* releaseAtEnd(mainPath)
      const got = yield* takeLockWaiting(mainPath, { ...mine, registering: true }, cannotCreate(mainPath))
      if (!got.taken) return yield* busy(mainPath, got, "another spotpipe run", "")
      main.taken = true
      yield* Effect.gen(function* () {
        // Holding `.spotpipe.lock`, no shard can register: a live shard lock now is a shard at work.
        for (const other of yield* shardLocks) {
          const otherPath = path.join(dir, other.name)
          const held = yield* heldBy(otherPath)
          if (held !== undefined) {
            return yield* busy(
              otherPath,
              held,
              `shard ${other.index}/${other.count} of another spotpipe run`,
              ", and a run that is not a shard needs the folder to itself"
            )
          }
        }
        // Registered: from now on a shard that finds the lock is refused at once. Replaced in one step (a rename),
        // so that the lock is never missing or torn.
        const temp = path.join(dir, tempFileName(lockFileName.slice(1)))
        yield* Effect.tryPromise({
          try: async () => {
            await NodeFs.writeFile(temp, `${JSON.stringify(mine)}\n`, { encoding: "utf8", mode: 0o644 })
            await NodeFs.rename(temp, mainPath)
          },
          catch: cannotCreate(mainPath)
        }).pipe(Effect.onError(() => fs.remove(temp).pipe(Effect.ignore)))
      }).pipe(
        // Refused: released at once, not when the caller's scope ends, since runs that wait for it are waiting.
        Effect.onError(() =>
          Effect.suspend(() => {
            main.taken = false
            return fs.remove(mainPath).pipe(Effect.ignore)
          })
        )
      )
      yield* removeStaleTemps(dir, lockFileName)
      // Before the lock goes (finalizers run last first): no other run is here.
      yield* Effect.addFinalizer(() => removeEmptyFolders)
      return
    }

    const ownName = shardLockFileName(shard.index, shard.count)
    const ownPath = path.join(dir, ownName)
    const own = yield* releaseAtEnd(ownPath)
    // `.spotpipe.lock` only while this shard registers: released as soon as its own lock is taken, or not.
    const register = Effect.gen(function* () {
      const got = yield* takeLockWaiting(mainPath, { ...mine, registering: true }, cannotCreate(mainPath))
      if (!got.taken) {
        return yield* busy(
          mainPath,
          got,
          "another spotpipe run",
          `, and shard ${shard.index}/${shard.count} shares a folder only with the other shards of its job`
        )
      }
      return yield* Effect.gen(function* () {
        for (const other of yield* shardLocks) {
          if (other.name === ownName) continue
          const otherPath = path.join(dir, other.name)
          if (other.count === shard.count) {
            // A shard of the same sharding is welcome; of another job (when both locks say which) it is not.
            const text = yield* fs.readFileString(otherPath).pipe(Effect.option)
            const job = text._tag === "Some" ? parseLock(text.value)?.job : undefined
            if (job === undefined || options.job === undefined || job === options.job) continue
          }
          const held = yield* heldBy(otherPath)
          if (held === undefined) continue
          return yield* busy(
            otherPath,
            held,
            other.count === shard.count
              ? `shard ${other.index}/${other.count} of another job`
              : `shard ${other.index}/${other.count} of another spotpipe run`,
            other.count === shard.count
              ? `, and shard ${shard.index}/${shard.count} shares a folder only with the shards of its own job`
              : `, and shard ${shard.index}/${shard.count} shares a folder only with shards of the same count`
          )
        }
        const taken = yield* takeLock(ownPath, mine, cannotCreate(ownPath))
        if (!taken.taken) return yield* busy(ownPath, taken, "another spotpipe run", "")
        own.taken = true
      }).pipe(Effect.ensuring(fs.remove(mainPath).pipe(Effect.ignore)))
    })
    yield* register
    yield* removeStaleTemps(dir, ownName)
    // Before its own lock goes: holding `.spotpipe.lock` as when registering (so no shard comes meanwhile), and only
    // when no other shard's lock is present. If the mutex is busy, the folders stay (empty, harmless).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const got = yield* takeLock(mainPath, { ...mine, registering: true }, cannotCreate(mainPath))
        if (!got.taken) return
        yield* Effect.gen(function* () {
          if ((yield* shardLocks).every((other) => other.name === ownName)) yield* removeEmptyFolders
        }).pipe(Effect.ensuring(fs.remove(mainPath).pipe(Effect.ignore)))
      }).pipe(Effect.ignore)
    )
  })

/** A lock another run holds: its holder (undefined while it is being written) and its age in milliseconds. */
interface Held {
  readonly holder: LockInfo | undefined
  readonly age: number
}

/**
 * Who holds the lock that refused a run, for a machine to read (`run --json`): the lock file, and its holder's pid,
 * host, start and command, each `null` when the lock does not say (empty or damaged, or being written).
 */
export interface LockRefusal {
  readonly lock: string
  readonly pid: number | null
  readonly host: string | null
  readonly started_at: string | null
  readonly command: string | null
}

/** The refusals {@link busyError} made, by their error: the error stays a plain `ExportError` for every caller. */
const refusals = new WeakMap<object, LockRefusal>()

/** Who holds the lock, when `error` is a run's refusal by another run's lock; else undefined. */
export const lockRefusalOf = (error: unknown): LockRefusal | undefined =>
  typeof error === "object" && error !== null ? refusals.get(error) : undefined

/** The refusal of a run that finds `lockPath` in `dir` held (`who` holds it; `why` it may not write beside it). */
const busyError = (dir: string, lockPath: string, found: Held, who: string, why: string) => {
  const error = busyMessage(dir, lockPath, found, who, why)
  const holder = found.holder
  refusals.set(error, {
    lock: lockPath,
    pid: holder?.pid ?? null,
    host: holder?.hostname ?? null,
    started_at: holder?.started_at ?? null,
    command: holder?.command ?? null
  })
  return error
}

const busyMessage = (dir: string, lockPath: string, found: Held, who: string, why: string) =>
  new ExportError({
    kind: "Io",
    message:
      // No holder past the moment of writing it: no run to name, and nothing says whether one is still there.
      found.holder === undefined && found.age >= beingWrittenMillis
        ? `${lockPath} is empty or damaged (last written ${Math.round(found.age / 1000)} s ago): a run that failed or was killed while taking it left it, unless it is being written on a slow disk; it is taken over once it is a minute old, or remove it now if no spotpipe run is writing to ${dir}`
        : `${who} (${describeHolder(found.holder)}) is writing to ${dir}${why}: wait for it or use another --out (remove ${lockPath} only if no such run exists)`
  })

/** The lock files present in `dir` that a run would not take over (see {@link isStale}), read and nothing else. */
const liveLocksIn = (dir: string): Array<Held & { readonly name: string; readonly path: string }> => {
  let names: ReadonlyArray<string>
  try {
    names = NodeFsSync.readdirSync(dir)
  } catch {
    return []
  }
  return names.filter(isLockName).flatMap((name) => {
    const at = NodePath.join(dir, name)
    try {
      const text = NodeFsSync.readFileSync(at, "utf8")
      const age = Date.now() - NodeFsSync.statSync(at).mtimeMs
      const holder = parseLock(text)
      return isStale(holder, age) ? [] : [{ name, path: at, holder, age }]
    } catch {
      return [] // gone meanwhile: its run ended
    }
  })
}

/**
 * What {@link lockOutputDirectory} with `options` would refuse in `dir` right now, found by reading the lock files
 * only (never taking, changing or removing one): its error, or undefined when it would take the lock (none held, or
 * only stale ones it would take over). For `--dry-run`, which says what a run would do.
 */
export const peekOutputLock = (dir: string, options: LockOptions = {}): ExportError | undefined => {
  const shard = options.shard !== undefined && options.shard.count > 1 ? options.shard : undefined
  const locks = liveLocksIn(dir)
  const main = locks.find((lock) => lock.name === lockFileName)
  if (shard === undefined) {
    if (main !== undefined) return busyError(dir, main.path, main, "another spotpipe run", "")
    const other = locks.find((lock) => lock.name !== lockFileName)
    const match = other === undefined ? null : shardLockPattern.exec(other.name)
    return other === undefined || match === null
      ? undefined
      : busyError(
          dir,
          other.path,
          other,
          `shard ${match[1]}/${match[2]} of another spotpipe run`,
          ", and a run that is not a shard needs the folder to itself"
        )
  }
  // A shard registering holds `.spotpipe.lock` for a moment only: a run waits for it.
  if (main !== undefined && main.holder?.registering !== true) {
    const why = `, and shard ${shard.index}/${shard.count} shares a folder only with the other shards of its job`
    return busyError(dir, main.path, main, "another spotpipe run", why)
  }
  const ownName = shardLockFileName(shard.index, shard.count)
  for (const lock of locks) {
    const match = shardLockPattern.exec(lock.name)
    if (match === null) continue
    if (lock.name === ownName) return busyError(dir, lock.path, lock, "another spotpipe run", "")
    const [index, count] = [Number(match[1]), Number(match[2])]
    const job = lock.holder?.job
    if (count === shard.count && (job === undefined || options.job === undefined || job === options.job)) continue
    return busyError(
      dir,
      lock.path,
      lock,
      count === shard.count
        ? `shard ${index}/${count} of another job`
        : `shard ${index}/${count} of another spotpipe run`,
      count === shard.count
        ? `, and shard ${shard.index}/${shard.count} shares a folder only with the shards of its own job`
        : `, and shard ${shard.index}/${shard.count} shares a folder only with shards of the same count`
    )
  }
  return undefined
}

/**
 * The run writing into `dir` right now, if any: who holds a live lock there (`pid 12, started …: spotpipe run
 * job.json`), found by reading the lock files only.
 */
export const runWritingIn = (dir: string): string | undefined => {
  const held = liveLocksIn(dir)[0]
  return held === undefined ? undefined : describeHolder(held.holder)
}

const withAttempt = (): { readonly attempt?: Attempt } => {
  const attempt = attemptOfThisProcess()
  return attempt === undefined ? {} : { attempt }
}

/** Whether `held` is an attempt of this process's AWS Batch job before this one (so it has ended). */
const isEarlierAttempt = (held: Attempt | undefined): boolean => {
  const mine = attemptOfThisProcess()
  return (
    held !== undefined &&
    mine !== undefined &&
    typeof held.job === "string" &&
    typeof held.number === "number" &&
    held.job === mine.job &&
    held.number < mine.number
  )
}

/** Who holds a lock, for a message: `pid 12, started …: spotpipe run job.json` (`on HOST` when another host's). */
const describeHolder = (holder: LockInfo | undefined): string =>
  holder === undefined
    ? "its lock file is being written"
    : `pid ${holder.pid}${holder.hostname === NodeOs.hostname() ? "" : ` on ${holder.hostname}`}, started ${holder.started_at}${holder.command === undefined ? "" : `: ${holder.command}`}`

/** A lock file as found: its text, its holder (undefined while it is being written) and whether it is stale. */
interface Found {
  readonly text: string
  readonly holder: LockInfo | undefined
  readonly stale: boolean
  /** Milliseconds since it was written. */
  readonly age: number
}

/** Reads the lock file `lockPath`: undefined when there is none. */
const inspect = (lockPath: string): Effect.Effect<Found | undefined, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(lockPath).pipe(Effect.option)
    if (text._tag === "None") return undefined
    const holder = parseLock(text.value)
    const age = yield* Effect.tryPromise(() => NodeFs.stat(lockPath)).pipe(
      Effect.map((info) => Date.now() - info.mtimeMs),
      Effect.orElseSucceed(() => 0)
    )
    return { text: text.value, holder, stale: isStale(holder, age), age }
  })

/** Whether a lock of `holder` (undefined: empty or torn), written `age` ms ago, is a dead run's, to be taken over. */
const isStale = (holder: LockInfo | undefined, age: number): boolean =>
  holder === undefined
    ? age > tornLockMillis
    : isEarlierAttempt(holder.attempt) ||
      (holder.hostname === NodeOs.hostname() &&
        // This pid on this host is this process: the lock is its own only if it says so.
        (holder.pid === process.pid ? holder.instance !== instance : !isAlive(holder.pid)))

const warnStale = (lockPath: string, found: Found, action: string) =>
  Effect.logWarning(
    found.holder === undefined
      ? `${lockPath} was left unfinished by a run that no longer exists: ${action}`
      : `${lockPath} was left by spotpipe (pid ${found.holder.pid}, started ${found.holder.started_at}), which is no longer running: ${action}`
  )

/**
 * Whether another run holds the lock file `lockPath`, which this run does not mean to take: its holder, or
 * undefined when there is no such file. A stale one is removed with a warning ({@link takeOver}).
 */
const heldBy = (lockPath: string): Effect.Effect<Held | undefined, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    for (let attempt = 1; ; attempt++) {
      const found = yield* inspect(lockPath)
      if (found === undefined) return undefined
      if (!found.stale || attempt >= 3) return { holder: found.holder, age: found.age }
      if (attempt > 1) yield* Effect.sleep(5 * attempt) // another run may be mid-takeover
      yield* warnStale(lockPath, found, "removing it")
      yield* takeOver(lockPath, found.text)
    }
  })

/** Whether this run took a lock file, or who holds it (undefined while the holder is being written). */
type Taken =
  | { readonly taken: true }
  | { readonly taken: false; readonly holder: LockInfo | undefined; readonly age: number }

/**
 * Tries once to create the lock file `lockPath` holding `mine`; a stale one is taken over with a warning. A lock
 * that vanishes while it is read (its run just ended) or is taken over by another run at the same moment is looked
 * at again, a few times at most.
 */
const takeLock = <E>(
  lockPath: string,
  mine: LockInfo,
  cannotCreate: (error: unknown) => E
): Effect.Effect<Taken, E, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    // true: created; false: it exists already.
    const tryCreate = Effect.tryPromise({
      try: () => createHolding(lockPath, `${JSON.stringify(mine)}\n`),
      catch: cannotCreate
    })
    for (let attempt = 1; !(yield* tryCreate); attempt++) {
      if (attempt > 1) yield* Effect.sleep(5 * attempt) // another run may be mid-takeover
      const found = yield* inspect(lockPath)
      if (found === undefined && attempt < 3) continue
      if (found === undefined || !found.stale || attempt >= 3) {
        return { taken: false, holder: found?.holder, age: found?.age ?? 0 }
      }
      yield* warnStale(lockPath, found, "taking it over")
      yield* takeOver(lockPath, found.text)
    }
    return { taken: true }
  })

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code

/**
 * Creates `path` holding `text`, or answers false when it exists. The text goes to a temp file first, hard-linked into
 * place (exclusive, as `wx` is), so a lock is never empty or torn: a run whose write fails (a full disk) or that is
 * killed meanwhile leaves no lock, at most a temp file that the next run removes. On a file system without hard links
 * the file is created exclusively, then written, and removed again when the write fails.
 */
const createHolding = async (path: string, text: string): Promise<boolean> => {
  const temp = NodePath.join(NodePath.dirname(path), tempFileName(NodePath.basename(path).replace(/^\./, "")))
  let linked: boolean | undefined
  try {
    await NodeFs.writeFile(temp, text, { encoding: "utf8", flag: "wx", mode: 0o644 })
    linked = await NodeFs.link(temp, path).then(
      () => true,
      (error: unknown) => {
        if (codeOf(error) === "EEXIST") return false
        if (["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(String(codeOf(error)))) return undefined
        throw error
      }
    )
  } finally {
    await NodeFs.rm(temp, { force: true })
  }
  if (linked !== undefined) return linked
  const handle = await NodeFs.open(path, "wx", 0o644).catch((error: unknown) => {
    if (codeOf(error) === "EEXIST") return undefined
    throw error
  })
  if (handle === undefined) return false
  try {
    await handle.writeFile(text, "utf8")
  } catch (error) {
    await handle.close().catch(() => undefined)
    await NodeFs.rm(path, { force: true })
    throw error
  }
  await handle.close()
  return true
}

/**
 * {@link takeLock}, waiting while the holder registers or is still being written (for a moment after the lock was
 * created, as when runs start together): both go within moments, and a run that failed then would fail only for
 * having started at the same time as another.
 */
const takeLockWaiting = <E>(
  lockPath: string,
  mine: LockInfo,
  cannotCreate: (error: unknown) => E
): Effect.Effect<Taken, E, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const since = yield* Clock.currentTimeMillis
    for (let attempt = 1; ; attempt++) {
      const got = yield* takeLock(lockPath, mine, cannotCreate)
      if (got.taken) return got
      const passing = got.holder === undefined ? got.age < beingWrittenMillis : got.holder.registering === true
      if (!passing || (yield* Clock.currentTimeMillis) - since > registeringMillis) return got
      yield* Effect.sleep(Math.min(5 * attempt, 50))
    }
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
  Effect.map(
    takeLock(
      lockPath,
      {
        pid: process.pid,
        hostname: NodeOs.hostname(),
        started_at: new Date().toISOString(),
        instance,
        ...withAttempt()
      },
      cannotCreate
    ),
    (got) => (got.taken ? undefined : describeHolder(got.holder))
  )

/**
 * Takes the lock file `lockPath` for the rest of the scope, for a change that holds it for milliseconds (read,
 * change, atomic write: the config file, the incremental runs' state). A lock held by another process is tried
 * again after short jittered pauses (so waiters do not retry in step) for `waitMillis` at most; then `busy` says
 * who holds it. Released with the scope on every exit, only when it is this process's.
 */
export const waitForLockFile = <E>(
  lockPath: string,
  waitMillis: number,
  errors: { readonly cannotCreate: (error: unknown) => E; readonly busy: (holder: string) => E }
): Effect.Effect<void, E, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const take = Effect.acquireRelease(tryLockFile(lockPath, errors.cannotCreate), (holder) =>
      holder === undefined ? fs.remove(lockPath).pipe(Effect.ignore) : Effect.void
    )
    const deadline = (yield* Clock.currentTimeMillis) + waitMillis
    for (let pause = 5; ; pause = Math.min(2 * pause, 100)) {
      const holder = yield* take
      if (holder === undefined) return
      const left = deadline - (yield* Clock.currentTimeMillis)
      if (left <= 0) return yield* Effect.fail(errors.busy(holder))
      yield* Effect.sleep(Math.min(left, pause * (0.5 + Math.random())))
    }
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
      // This pid is this process, which has written nothing here yet: a temp of it is a killed predecessor's that
      // had the same pid (a restarted container's process is pid 1 every time).
      if (pid !== process.pid && isAlive(pid)) continue
      const removed = yield* fs.remove(full).pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false)
      )
      if (removed)
        yield* Effect.logWarning(`removed ${full}, a temp file left by a run that no longer exists (pid ${pid})`)
    }
  })
