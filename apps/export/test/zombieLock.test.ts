/**
 * A lock whose run was killed a moment ago and not yet reaped by its parent (a zombie, `Z <defunct>` in ps, as
 * after `timeout -s KILL`): `kill(pid, 0)` still finds the pid, but the run is gone, so the lock is taken over.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { isAlive, lockFileName, lockOutputDirectory } from "../src/output/OutputLock.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-zombie-lock-")

const stateOf = (pid: number): string | undefined => {
  try {
    const stat = NodeFs.readFileSync(`/proc/${pid}/stat`, "latin1")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
  } catch {
    return undefined
  }
}

/**
 * A real zombie: a shell starts a child that exits a moment later, then becomes `sleep`, which never reaps it (a
 * child that exited before the shell became `sleep` could be reaped by the shell itself). Gives the zombie's pid once
 * it is one; the sleeping parent is ended when the scope closes.
 */
const zombie = Effect.acquireRelease(
  Effect.callback<{ readonly parent: number; readonly child: number }>((resume) => {
    const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 600"], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    parent.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (!out.includes("\n")) return
      const child = Number(out.trim())
      const wait = () => {
        if (stateOf(child) === "Z") resume(Effect.succeed({ parent: parent.pid!, child }))
        else setTimeout(wait, 10)
      }
      wait()
    })
  }),
  ({ parent }) => Effect.sync(() => process.kill(parent, "SIGKILL"))
)

describe("a lock of a zombie", () => {
  it.live("a-lock-naming-a-zombie-pid-is-taken-over", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const seen = yield* Effect.scoped(
        Effect.gen(function* () {
          const { child } = yield* zombie
          NodeFs.writeFileSync(
            NodePath.join(dir, lockFileName),
            JSON.stringify({ pid: child, hostname: NodeOs.hostname(), started_at: "2026-01-01T00:00:00.000Z" })
          )
          let signalled = true
          try {
            process.kill(child, 0)
          } catch {
            signalled = false
          }
          const lock = yield* Effect.scoped(lockOutputDirectory(dir)).pipe(
            Effect.as("taken"),
            Effect.catch((error) => Effect.succeed(error.message))
          )
          return { signalled, alive: isAlive(child), lock }
        })
      )
      // The pid is still there for kill(pid, 0): that alone made the run look alive.
      expect(seen).toEqual({ signalled: true, alive: false, lock: "taken" })
      // A live process, for contrast, is still alive.
      expect(isAlive(process.pid)).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
