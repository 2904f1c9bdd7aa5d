/**
 * An output folder's lock file damaged on disk (a flipped digit, a hand edit) is a torn lock: once it is older than a
 * lock being written, the next run takes it over with a warning, rather than taking a pid no process has for a live
 * run and refusing every run into the folder.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { startSandbox } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { lockFileName, lockOutputDirectory } from "../src/output/OutputLock.ts"
import { cliEnv, mainPath, runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-damaged-lock-")

/** `.spotpipe.lock` holding `pid` as a run on this host writes it, last changed two minutes ago. */
const oldLock = (dir: string, pid: unknown) => {
  const path = NodePath.join(dir, lockFileName)
  NodeFs.writeFileSync(
    path,
    `${JSON.stringify({ pid, hostname: NodeOs.hostname(), started_at: "2026-12-06T00:00:00.000Z" })}\n`
  )
  const then = new Date(Date.now() - 120_000)
  NodeFs.utimesSync(path, then, then)
}

describe("a damaged lock file", () => {
  // 0 and -1 are what `kill` reads as this process group and every process: both answer as alive.
  for (const pid of [0, -1, -12345, 1.5, 1e300, 2 ** 53, "4242"]) {
    it.live(`with-pid-${JSON.stringify(pid)}-is-taken-over-once-it-is-old`, () =>
      Effect.gen(function* () {
        const dir = tempDir()
        oldLock(dir, pid)
        const outcome = yield* Effect.scoped(lockOutputDirectory(dir, {})).pipe(
          Effect.as("taken"),
          Effect.catch((error) => Effect.succeed(error.message))
        )
        expect(outcome).toBe("taken")
        // Released with the run: nothing of it is left.
        expect(NodeFs.readdirSync(dir)).toEqual([])
      }).pipe(Effect.provide(NodeServices.layer))
    )
  }
})

/** `.spotpipe.lock` holding `text`, last changed `ageMillis` ago. */
const lockHolding = (dir: string, text: string, ageMillis: number) => {
  const path = NodePath.join(dir, lockFileName)
  NodeFs.writeFileSync(path, text)
  const then = new Date(Date.now() - ageMillis)
  NodeFs.utimesSync(path, then, then)
  return path
}

const outcomeOf = (dir: string) =>
  Effect.scoped(lockOutputDirectory(dir, {})).pipe(
    Effect.as("taken"),
    Effect.catch((error) => Effect.succeed(error.message)),
    Effect.provide(NodeServices.layer)
  )

describe("an empty or torn lock file", () => {
  // What a run killed, or failing to write (a full disk), between creating the lock and writing its holder leaves.
  for (const [what, text] of [
    ["empty", ""],
    ["torn", '{"pid":42,"hostn']
  ] as const) {
    it.live(`${what}-and-recent-is-refused-saying-what-it-is-and-what-to-do`, () =>
      Effect.gen(function* () {
        const dir = tempDir()
        const path = lockHolding(dir, text, 10_000)
        expect(yield* outcomeOf(dir)).toBe(
          `${path} is empty or damaged (last written 10 s ago): a run that failed or was killed while taking it left it, unless it is being written on a slow disk; it is taken over once it is a minute old, or remove it now if no spotpipe run is writing to ${dir}`
        )
        expect(NodeFs.readFileSync(path, "utf8")).toBe(text)
      })
    )

    it.live(`${what}-and-a-minute-old-is-taken-over`, () =>
      Effect.gen(function* () {
        const dir = tempDir()
        lockHolding(dir, text, 61_000)
        expect(yield* outcomeOf(dir)).toBe("taken")
        expect(NodeFs.readdirSync(dir)).toEqual([])
      })
    )
  }
})

describe("a lock file whose holder cannot be written", () => {
  it("leaves-no-lock-behind-and-the-next-run-goes-on", async () => {
    const sandbox = await startSandbox({ rows: 100, seed: 7 })
    try {
      const out = tempDir()
      const args = ["answer", "Order Details", "--out", out]
      // A file size limit of 0: creating a file works, writing a byte into it fails (EFBIG), as on a full disk.
      const full = await new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
        const child = spawn("sh", ["-c", 'ulimit -f 0; exec "$0" "$@"', process.execPath, mainPath, ...args], {
          env: cliEnv(sandboxEnv(sandbox)),
          stdio: ["ignore", "pipe", "pipe"]
        })
        const err: Array<Buffer> = []
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
        child.stdout.resume()
        child.on("close", (code) => resolve({ code, stderr: Buffer.concat(err).toString("utf8") }))
      })
      expect(full.code, full.stderr).toBe(1)
      expect(full.stderr).toContain(`cannot create ${NodePath.join(out, lockFileName)}`)
      expect(NodeFs.readdirSync(out)).toEqual([])
      const next = await runCli(args, { env: sandboxEnv(sandbox) })
      expect(next.code, next.stderr).toBe(0)
    } finally {
      await sandbox.close()
    }
  }, 60_000)
})
