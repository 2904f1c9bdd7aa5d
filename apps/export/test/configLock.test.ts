/**
 * `spotpipe config` commands that write run one at a time on a config file, under the lock `<file>.lock`: several
 * started at once (a provisioning script) all succeed and none loses another's update; a lock left by a dead
 * process is taken over; a lock held too long ends the command with a message; reading takes no lock.
 */
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { updateConfigFile } from "../src/cluster/Profiles.ts"
import { UsageError } from "../src/UsageError.ts"
import { runInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-config-lock-")

const writers = 8

const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

/** A lock file as spotpipe writes it, held by `pid` on this host. */
const writeLock = (lockPath: string, pid: number) =>
  NodeFs.writeFileSync(
    lockPath,
    JSON.stringify({ pid, hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00.000Z" })
  )

const existing = { default: "a", profiles: { a: { host: "https://a.example.com" } } }

/** A config file with profile `a` in a new folder. */
const configFile = () => {
  const path = NodePath.join(tempDir(), "config.json")
  NodeFs.writeFileSync(path, JSON.stringify(existing))
  return path
}

describe("concurrent config writes", () => {
  it("config-set-in-parallel-processes-keeps-every-update", async () => {
    const dir = tempDir()
    const path = NodePath.join(dir, "config.json")
    const env = { SPOTPIPE_CONFIG: path }
    expect(
      (await runCli(["config", "set", "host", "https://base.example.com", "--profile", "base"], { env })).code
    ).toBe(0)
    const profiles = Array.from({ length: writers }, (_, i) => `p${i}`)
    const runs = await Promise.all([
      ...profiles.map((name) =>
        runCli(["config", "set", "host", `https://${name}.example.com`, "--profile", name], { env })
      ),
      ...profiles.map((_, i) => runCli(["config", "set", "org-id", String(i), "--profile", "base"], { env })),
      runCli(["config", "set", "username", "ana", "--profile", "base"], { env })
    ])
    for (const run of runs) expect(run.stderr).not.toContain("locked")
    expect(runs.map((run) => run.code)).toEqual(runs.map(() => 0))
    const config = JSON.parse(NodeFs.readFileSync(path, "utf8"))
    for (const name of profiles) expect(config.profiles[name]).toEqual({ host: `https://${name}.example.com` })
    expect(config.profiles.base.username).toBe("ana")
    expect(config.profiles.base.host).toBe("https://base.example.com")
    expect(config.default).toBe("base")
    expect(NodeFs.readdirSync(dir).sort()).toEqual(["config.json"])
  })
})

describe("the config file's lock", () => {
  it.effect("config-set-takes-over-the-lock-of-a-dead-process-and-removes-it", () =>
    Effect.gen(function* () {
      const path = configFile()
      writeLock(`${path}.lock`, deadPid())
      const run = yield* runInProcess(["config", "set", "username", "ana", "--profile", "a"], { SPOTPIPE_CONFIG: path })
      expect(run.code).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8")).profiles.a.username).toBe("ana")
      expect(NodeFs.existsSync(`${path}.lock`)).toBe(false)
    })
  )

  it.live("a-lock-held-by-a-live-process-fails-the-change-after-the-wait-naming-it-and-nothing-is-saved", () =>
    Effect.gen(function* () {
      const path = configFile()
      const lockPath = `${path}.lock`
      writeLock(lockPath, process.ppid)
      const error = yield* Effect.flip(
        updateConfigFile(path, ({ config }) => Effect.succeed([{ profiles: config.profiles }, 0] as const), {
          waitMillis: 30
        })
      )
      expect(error).toBeInstanceOf(UsageError)
      expect(error.message).toBe(
        `the config file ${path} is being changed by another spotpipe command (pid ${process.ppid}, started 2026-01-01T00:00:00.000Z), which did not finish within 0.03 s: nothing was saved; run this command again once that one has ended (remove ${lockPath} only if no such process exists)`
      )
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8"))).toEqual(existing)
      // Not this process's lock: left as it was.
      expect(JSON.parse(NodeFs.readFileSync(lockPath, "utf8")).pid).toBe(process.ppid)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("reading-the-config-takes-no-lock", () =>
    Effect.gen(function* () {
      const path = configFile()
      writeLock(`${path}.lock`, process.pid)
      const env = { SPOTPIPE_CONFIG: path }
      expect((yield* runInProcess(["config", "get", "host", "--profile", "a"], env)).code).toBe(0)
      expect((yield* runInProcess(["config", "list"], env)).code).toBe(0)
    })
  )

  it.live("a-symlinked-config-file-is-locked-beside-its-target", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = NodePath.join(dir, "dotfiles", "spotpipe.json")
      NodeFs.mkdirSync(NodePath.dirname(target))
      NodeFs.writeFileSync(target, JSON.stringify(existing))
      const link = NodePath.join(dir, "config.json")
      NodeFs.symlinkSync(target, link)
      writeLock(`${target}.lock`, process.ppid)
      const error = yield* Effect.flip(
        updateConfigFile(link, ({ config }) => Effect.succeed([config, 0] as const), { waitMillis: 0 })
      )
      expect(error.message).toContain(`(remove ${target}.lock only if no such process exists)`)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("the-lock-is-released-when-the-change-fails-or-is-interrupted", () =>
    Effect.gen(function* () {
      const path = configFile()
      const lockPath = `${path}.lock`
      const refused = yield* runInProcess(["config", "use", "nonexistent"], { SPOTPIPE_CONFIG: path })
      expect(refused.code).toBe(2)
      expect(NodeFs.existsSync(lockPath)).toBe(false)

      const changing = yield* Deferred.make<void>()
      const fiber = yield* updateConfigFile(path, () =>
        Deferred.succeed(changing, undefined).pipe(Effect.andThen(Effect.never))
      ).pipe(Effect.forkChild)
      yield* Deferred.await(changing)
      expect(JSON.parse(NodeFs.readFileSync(lockPath, "utf8")).pid).toBe(process.pid)
      yield* Fiber.interrupt(fiber)
      expect(NodeFs.existsSync(lockPath)).toBe(false)
      expect(JSON.parse(NodeFs.readFileSync(path, "utf8"))).toEqual(existing)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
