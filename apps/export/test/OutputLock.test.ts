import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  lockFileName,
  lockOutputDirectory,
  shardLockFileName,
  takeOver,
  tryLockFile
} from "../src/output/OutputLock.ts"

const tempDir = () => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-lock-"))
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!
const writeLock = (dir: string, name: string, info: object) =>
  NodeFs.writeFileSync(NodePath.join(dir, name), JSON.stringify(info))

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

  it.effect("a-torn-lock-is-taken-over-only-once-it-is-old", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const lock = NodePath.join(dir, lockFileName)
      NodeFs.writeFileSync(lock, "")
      // Fresh: a run may be writing it right now.
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
        pid: process.pid,
        hostname: NodeOs.hostname(),
        started_at: new Date().toISOString()
      })
      const temp = NodePath.join(dir, `.answer-A.csv.${deadPid()}-0123abcd.tmp`)
      NodeFs.writeFileSync(temp, "maybe another host's")
      yield* Effect.scoped(lockOutputDirectory(dir, { lockName: shardLockFileName(1, 2) }))
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
