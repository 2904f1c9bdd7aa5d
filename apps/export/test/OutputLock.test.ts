import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import {
  type LockOptions,
  lockFileName,
  lockOutputDirectory,
  shardLockFileName,
  stateDirName,
  takeOver,
  tryLockFile
} from "../src/output/OutputLock.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-lock-")
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!
const writeLock = (dir: string, name: string, info: object) =>
  NodeFs.writeFileSync(NodePath.join(dir, name), JSON.stringify(info))
/** A lock held by a live process (the one that started this one), as another run on this host writes it. */
const liveLock = (dir: string, name: string, more: object = {}) =>
  writeLock(dir, name, {
    pid: process.ppid,
    hostname: NodeOs.hostname(),
    started_at: "2026-12-06T00:00:00.000Z",
    ...more
  })
const shard = (index: number, count: number, job?: string) => ({
  shard: { index, count },
  command: `spotpipe run job.json --shard ${index}/${count}`,
  ...(job === undefined ? {} : { job })
})
/** Fails with the message of `lockOutputDirectory(dir, options)`, or with "taken" when it took the lock. */
const refusal = (dir: string, options: Parameters<typeof lockOutputDirectory>[1] = {}) =>
  Effect.scoped(lockOutputDirectory(dir, options)).pipe(
    Effect.as("taken"),
    Effect.catch((error) => Effect.succeed(error.message))
  )

describe("tryLockFile", () => {
  it.live("of-many-takers-of-one-stale-lock-exactly-one-gets-it", () =>
    Effect.gen(function* () {
      for (let round = 0; round < 20; round++) {
        const dir = tempDir()
        const lock = NodePath.join(dir, lockFileName)
        writeLock(dir, lockFileName, {
          pid: deadPid(),
          hostname: NodeOs.hostname(),
          started_at: "2026-01-01T00:00:00Z"
        })
        // Eight at once, as eight runs started together on a folder a killed run left its lock in.
        const holders = yield* Effect.all(
          Array.from({ length: 8 }, () => tryLockFile(lock, (error) => error)),
          { concurrency: "unbounded" }
        )
        expect(holders.filter((holder) => holder === undefined).length).toBe(1)
        expect(NodeFs.readdirSync(dir)).toEqual([lockFileName])
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-takeover-removes-only-the-lock-it-judged-stale-and-one-at-a-time", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const lock = NodePath.join(dir, lockFileName)
      const guard = `${lock}.takeover`
      const stale = JSON.stringify({ pid: deadPid(), hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00Z" })
      const fresh = JSON.stringify({
        pid: process.pid,
        hostname: NodeOs.hostname(),
        started_at: "2026-12-06T00:00:00Z"
      })
      // Another run took it over since it was judged stale: its new lock stays.
      NodeFs.writeFileSync(lock, fresh)
      expect(yield* takeOver(lock, stale)).toBe(true)
      expect(NodeFs.readFileSync(lock, "utf8")).toBe(fresh)
      // Another run is taking it over right now: nothing is touched.
      NodeFs.writeFileSync(lock, stale)
      NodeFs.writeFileSync(guard, "")
      expect(yield* takeOver(lock, stale)).toBe(false)
      expect([NodeFs.readFileSync(lock, "utf8"), NodeFs.existsSync(guard)]).toEqual([stale, true])
      // A guard left by a run killed mid-takeover goes once it is old; then the stale lock goes, and no guard stays.
      const old = new Date(Date.now() - 120_000)
      NodeFs.utimesSync(guard, old, old)
      expect(yield* takeOver(lock, stale)).toBe(false)
      expect(yield* takeOver(lock, stale)).toBe(true)
      expect(NodeFs.readdirSync(dir)).toEqual([])
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

describe("lockOutputDirectory", () => {
  it.effect("a-lock-of-another-host-is-never-taken-over-and-the-message-names-the-host", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      writeLock(dir, lockFileName, { pid: deadPid(), hostname: "elsewhere", started_at: "2026-01-01T00:00:00.000Z" })
      const error = yield* Effect.flip(Effect.scoped(lockOutputDirectory(dir)))
      expect(error.message).toMatch(
        /^another spotpipe run \(pid \d+ on elsewhere, started 2026-01-01T00:00:00\.000Z\) is writing to .*: wait for it or use another --out/
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-lock-left-with-this-pid-by-a-restarted-containers-killed-run-is-taken-over", () =>
    Effect.gen(function* () {
      // A retried pod of an Indexed Job has its predecessor's host name and pid (1): that pid is alive — this
      // process — but the lock is not this process's.
      const dir = tempDir()
      const left = { pid: process.pid, hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00.000Z" }
      writeLock(dir, shardLockFileName(2, 4), { ...left, command: "spotpipe run job.json --shard 2/4" })
      expect(yield* refusal(dir, shard(2, 4))).toBe("taken")
      writeLock(dir, lockFileName, left)
      expect(yield* refusal(dir)).toBe("taken")
      expect(NodeFs.readdirSync(dir)).toEqual([])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("temp-files-left-with-this-pid-by-a-restarted-containers-killed-run-are-removed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      NodeFs.mkdirSync(NodePath.join(dir, stateDirName))
      const temps = [
        `.answer-A.csv.${process.pid}-0123abcd.tmp`,
        NodePath.join(stateDirName, `answer-A.csv.checkpoint.json.${process.pid}-89abcdef.tmp`)
      ]
      for (const temp of temps) NodeFs.writeFileSync(NodePath.join(dir, temp), "left by a killed run")
      yield* Effect.scoped(lockOutputDirectory(dir))
      for (const temp of temps) expect(NodeFs.existsSync(NodePath.join(dir, temp)), temp).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-lock-of-an-earlier-aws-batch-attempt-of-the-same-job-is-taken-over-from-any-host", () =>
    Effect.gen(function* () {
      // A retried AWS Batch child job runs in a new container on a host of its own, once the attempt before ended.
      const env = { AWS_BATCH_JOB_ID: "5c3f-array:1", AWS_BATCH_JOB_ATTEMPT: "2" }
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
      Object.assign(process.env, env)
      try {
        const dir = tempDir()
        const on = (job: string, number: number) => ({
          pid: 1,
          hostname: "ip-10-0-3-17.ec2.internal",
          started_at: "2026-01-01T00:00:00.000Z",
          command: "spotpipe run job.json --shard 2/2",
          attempt: { job, number }
        })
        // The same attempt, or another job's, may be at work there: refused.
        writeLock(dir, shardLockFileName(2, 2), on("5c3f-array:1", 2))
        expect(yield* refusal(dir, shard(2, 2))).toContain("on ip-10-0-3-17.ec2.internal")
        writeLock(dir, shardLockFileName(2, 2), on("77aa-array:1", 1))
        expect(yield* refusal(dir, shard(2, 2))).toContain("on ip-10-0-3-17.ec2.internal")
        // The attempt before this one has ended: its lock is taken over.
        writeLock(dir, shardLockFileName(2, 2), on("5c3f-array:1", 1))
        expect(yield* refusal(dir, shard(2, 2))).toBe("taken")
        expect(NodeFs.readdirSync(dir)).toEqual([])
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k]
          else process.env[k] = v
        }
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-torn-lock-is-taken-over-only-once-it-is-old", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const lock = NodePath.join(dir, lockFileName)
      NodeFs.writeFileSync(lock, "")
      // Younger than a minute: its run may still be writing it (one just created is waited for, a moment).
      const recent = new Date(Date.now() - 10_000)
      NodeFs.utimesSync(lock, recent, recent)
      expect((yield* Effect.flip(Effect.scoped(lockOutputDirectory(dir)))).message).toContain("is being written")
      const old = new Date(Date.now() - 120_000)
      NodeFs.utimesSync(lock, old, old)
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* lockOutputDirectory(dir)
          expect(JSON.parse(NodeFs.readFileSync(lock, "utf8")).pid).toBe(process.pid)
        })
      )
      expect(NodeFs.existsSync(lock)).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("with-another-shard-at-work-in-the-directory-no-temp-file-is-removed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      writeLock(dir, shardLockFileName(2, 2), {
        pid: process.ppid,
        hostname: NodeOs.hostname(),
        started_at: new Date().toISOString()
      })
      const temp = NodePath.join(dir, `.answer-A.csv.${deadPid()}-0123abcd.tmp`)
      NodeFs.writeFileSync(temp, "maybe another host's")
      yield* Effect.scoped(lockOutputDirectory(dir, { shard: { index: 1, count: 2 } }))
      expect(NodeFs.existsSync(temp)).toBe(true)
      expect(NodeFs.existsSync(NodePath.join(dir, shardLockFileName(2, 2)))).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("directories-the-lock-created-are-removed-when-nothing-was-written-and-kept-otherwise", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const empty = NodePath.join(root, "a", "b")
      yield* Effect.scoped(lockOutputDirectory(empty))
      expect(NodeFs.readdirSync(root)).toEqual([])
      const used = NodePath.join(root, "c", "d")
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* lockOutputDirectory(used)
          NodeFs.writeFileSync(NodePath.join(used, "x.csv"), "x")
        })
      )
      expect(NodeFs.readdirSync(used)).toEqual(["x.csv"])
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

describe("one folder: one run that is not a shard, or shards of one sharding", () => {
  it.effect("a-shard-is-refused-while-a-run-that-is-not-a-shard-writes-the-folder", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      liveLock(dir, lockFileName, { command: "spotpipe run job.json" })
      expect(yield* refusal(dir, shard(1, 2))).toMatch(
        /^another spotpipe run \(pid \d+, started 2026-12-06T00:00:00\.000Z: spotpipe run job\.json\) is writing to .*, and shard 1\/2 shares a folder only with the other shards of its job: wait for it or use another --out \(remove .*\.spotpipe\.lock only if no such run exists\)$/
      )
      // The other run's lock is untouched, and the shard left none.
      expect(NodeFs.readdirSync(dir)).toEqual([lockFileName])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-run-that-is-not-a-shard-is-refused-while-a-shard-writes-the-folder", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      liveLock(dir, shardLockFileName(2, 3), { command: "spotpipe run job.json --shard 2/3" })
      expect(yield* refusal(dir, { command: "spotpipe search" })).toMatch(
        /^shard 2\/3 of another spotpipe run \(pid \d+, started 2026-12-06T00:00:00\.000Z: spotpipe run job\.json --shard 2\/3\) is writing to .*, and a run that is not a shard needs the folder to itself: wait for it or use another --out \(remove .*\.spotpipe\.shard-2-of-3\.lock only if no such run exists\)$/
      )
      // Its own lock, taken while it looked, is released again.
      expect(NodeFs.readdirSync(dir)).toEqual([shardLockFileName(2, 3)])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("shards-of-another-count-or-another-job-are-refused-and-of-the-same-sharding-welcome", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      liveLock(dir, shardLockFileName(1, 2), { job: "A", command: "spotpipe run a.json --shard 1/2" })
      expect(yield* refusal(dir, shard(1, 3, "A"))).toMatch(
        /^shard 1\/2 of another spotpipe run \(.*: spotpipe run a\.json --shard 1\/2\) is writing to .*, and shard 1\/3 shares a folder only with shards of the same count: wait/
      )
      expect(yield* refusal(dir, shard(2, 2, "B"))).toMatch(
        /^shard 1\/2 of another job \(.*\) is writing to .*, and shard 2\/2 shares a folder only with the shards of its own job: wait/
      )
      expect(NodeFs.readdirSync(dir)).toEqual([shardLockFileName(1, 2)])
      // The same job, or a lock that does not say which (an older spotpipe's), and another index: welcome.
      expect(yield* refusal(dir, shard(2, 2, "A"))).toBe("taken")
      expect(yield* refusal(dir, shard(2, 2))).toBe("taken")
      // The same index once only.
      expect(yield* refusal(dir, shard(1, 2, "A"))).toMatch(
        /^another spotpipe run \(pid \d+, started .*\) is writing to /
      )
      expect(NodeFs.readdirSync(dir)).toEqual([shardLockFileName(1, 2)])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("stale-locks-in-the-way-are-removed-with-a-warning", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const dead = { pid: deadPid(), hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00.000Z" }
      writeLock(dir, shardLockFileName(1, 2), dead)
      expect(yield* refusal(dir, shard(1, 3))).toBe("taken")
      expect(NodeFs.readdirSync(dir)).toEqual([])
      writeLock(dir, shardLockFileName(2, 3), dead)
      expect(yield* refusal(dir, { command: "spotpipe search" })).toBe("taken")
      expect(NodeFs.readdirSync(dir)).toEqual([])
      // Another host's is never judged stale.
      writeLock(dir, shardLockFileName(2, 3), { ...dead, hostname: "elsewhere" })
      expect(yield* refusal(dir)).toMatch(/^shard 2\/3 of another spotpipe run \(pid \d+ on elsewhere, started /)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("a-run-waits-for-a-shard-that-is-registering-and-then-sees-its-lock", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      // A shard holds the folder's lock only while it registers: a run that finds it waits, and then looks again.
      liveLock(dir, lockFileName, { registering: true, command: "spotpipe run job.json --shard 1/2" })
      setTimeout(() => NodeFs.rmSync(NodePath.join(dir, lockFileName)), 100)
      expect(yield* refusal(dir, { command: "spotpipe search" })).toBe("taken")
      liveLock(dir, lockFileName, { registering: true, command: "spotpipe run job.json --shard 1/2" })
      setTimeout(() => {
        liveLock(dir, shardLockFileName(1, 2), { command: "spotpipe run job.json --shard 1/2" })
        NodeFs.rmSync(NodePath.join(dir, lockFileName))
      }, 100)
      expect(yield* refusal(dir, { command: "spotpipe search" })).toMatch(/^shard 1\/2 of another spotpipe run /)
      expect(NodeFs.readdirSync(dir)).toEqual([shardLockFileName(1, 2)])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("a-run-that-is-not-a-shard-looking-for-shards-at-work-does-not-turn-a-shard-away", () =>
    Effect.gen(function* () {
      for (let round = 0; round < 30; round++) {
        const dir = tempDir()
        liveLock(dir, shardLockFileName(1, 2), { job: "A" })
        // While runs that are not shards take `.spotpipe.lock` to look for shards (and find one), shard 2/2 registers.
        const [sibling, ...others] = yield* Effect.all(
          [refusal(dir, shard(2, 2, "A")), refusal(dir), refusal(dir), refusal(dir)],
          { concurrency: "unbounded" }
        )
        expect(sibling, `round ${round}`).toBe("taken")
        for (const other of others) expect(other, `round ${round}`).toMatch(/^shard [12]\/2 of another spotpipe run/)
        expect(NodeFs.readdirSync(dir), `round ${round}`).toEqual([shardLockFileName(1, 2)])
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("of-many-runs-started-together-only-one-that-is-not-a-shard-or-shards-of-one-count-go-on", () =>
    Effect.gen(function* () {
      const kinds: ReadonlyArray<LockOptions> = [
        {},
        {},
        shard(1, 2, "A"),
        shard(2, 2, "A"),
        shard(1, 2, "A"),
        shard(2, 2, "B"),
        shard(1, 3, "A"),
        shard(2, 3, "A"),
        shard(3, 3, "A")
      ]
      for (let round = 0; round < 20; round++) {
        const dir = tempDir()
        // Each holds what it took until every one has tried.
        const tried = yield* Deferred.make<void>()
        let left = kinds.length
        const holders = yield* Effect.all(
          kinds.map((kind, k) =>
            Effect.scoped(
              Effect.gen(function* () {
                const got = yield* Effect.exit(lockOutputDirectory(dir, kind))
                if (--left === 0) yield* Deferred.succeed(tried, undefined)
                yield* Deferred.await(tried)
                return Exit.isSuccess(got) ? [k] : []
              })
            )
          ),
          { concurrency: "unbounded" }
        ).pipe(Effect.map((taken) => taken.flat().map((k) => kinds[k]!)))
        expect(holders.length, `round ${round}`).toBeGreaterThan(0)
        const shards = holders.flatMap((h) => (h.shard === undefined ? [] : [{ ...h, shard: h.shard }]))
        if (shards.length < holders.length) expect(holders, `round ${round}`).toEqual([{}])
        else {
          const one = shards[0]!
          for (const s of shards) expect([s.shard.count, s.job], `round ${round}`).toEqual([one.shard.count, one.job])
          expect(new Set(shards.map((s) => s.shard.index)).size, `round ${round}`).toBe(shards.length)
        }
        expect(NodeFs.readdirSync(dir), `round ${round}`).toEqual([])
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
