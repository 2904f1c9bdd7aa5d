/**
 * An output folder's lock file damaged on disk (a flipped digit, a hand edit) is a torn lock: once it is older than a
 * lock being written, the next run takes it over with a warning, rather than taking a pid no process has for a live
 * run and refusing every run into the folder.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { lockFileName, lockOutputDirectory } from "../src/output/OutputLock.ts"
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
