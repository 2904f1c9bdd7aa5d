/**
 * The CLI as a process: how it ends when its reader closes stdout, when a signal stops it, and on a Node.js
 * that is too old. Each test runs the real `bin/spotpipe.js` against sandboxes started here on port 0.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import type { Readable } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { minimumNode, unsupportedNode } from "../bin/nodeVersion.js"
import { mainPath, runNode } from "./support/runCli.ts"

const timeout = { timeout: 60_000 }
const tempDir = () => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-process-"))

let large: RunningSandbox
let slow: RunningSandbox
// Data requests the large sandbox answered, to see that a stopped export stops fetching.
const dataRequests: Array<string> = []

beforeAll(async () => {
  ;[large, slow] = await Promise.all([
    startSandbox({
      rows: 50_000,
      log: (line) => {
        if (line.includes("answer/data")) dataRequests.push(line)
      }
    }),
    startSandbox({ rows: 20_000, faults: { routes: { "*": { latencyMs: 150 } } } })
  ])
})

afterAll(async () => {
  await Promise.all([large?.close(), slow?.close()])
})

const passwordEnv = (sandbox: { readonly url: string }) => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "/tmp",
  THOUGHTSPOT_HOST: sandbox.url,
  THOUGHTSPOT_USERNAME: fixtures.user.username,
  THOUGHTSPOT_PASSWORD: fixtures.user.password
})

interface Started {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

/** Starts `spotpipe args…`; the test guard kills it if it never ends, so a hang fails instead of stalling. */
const start = (args: ReadonlyArray<string>, env: Record<string, string>): Started => {
  const child = spawn(process.execPath, [mainPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const guard = setTimeout(() => child.kill("SIGKILL"), 45_000)
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard)
      resolve(code)
    })
  )
  return { child, stderr: () => stderr, exited }
}

/** Waits until `ready()` holds (a file appeared), failing with `what` after 30 s. */
const waitFor = async (ready: () => boolean, what: () => string) => {
  const deadline = Date.now() + 30_000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const filesUnder = (dir: string): ReadonlyArray<string> =>
  NodeFs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()

describe("closed stdout", () => {
  it("a-reader-that-closes-stdout-ends-the-export-quietly-with-141-and-it-stops-fetching", timeout, async () => {
    dataRequests.length = 0
    const run = start(["answer", "Order Details", "--out", "-", "--page-size", "1000", "--concurrency", "1"], {
      ...passwordEnv(large)
    })
    // Like `| head -c 1`: take the first bytes, then close the pipe.
    await new Promise<void>((resolve) => run.child.stdout.once("data", () => resolve()))
    run.child.stdout.destroy()
    const code = await run.exited
    expect(run.stderr()).toBe("")
    expect(code).toBe(141)
    // 50 pages of 1000 rows: the export stopped long before the end.
    expect(dataRequests.length).toBeGreaterThan(0)
    expect(dataRequests.length).toBeLessThan(10)
  })
})

describe("signals", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129]
  ] as const) {
    it(
      `${signal.toLowerCase()}-mid-export-says-nothing-was-published-removes-the-temp-file-and-exits-${code}`,
      timeout,
      async () => {
        const dir = tempDir()
        const run = start(["answer", "Order Details", "--page-size", "500", "--out", dir], passwordEnv(slow))
        await waitFor(
          () => NodeFs.readdirSync(dir).some((f) => f.endsWith(".tmp")),
          () => run.stderr()
        )
        run.child.kill(signal)
        expect(await run.exited).toBe(code)
        expect(run.stderr()).toContain("spotpipe: interrupted; no partial file was published")
        expect(run.stderr()).not.toContain("--resume")
        expect(NodeFs.readdirSync(dir)).toEqual([])
      }
    )
  }

  it("sigint-mid-batch-run-says-how-to-resume-and-exits-130", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "landing")
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 500 }] }))
    const run = start(["run", job, "--out", out], passwordEnv(slow))
    // A checkpointed partial file in the state folder: the run is mid-export.
    await waitFor(
      () =>
        NodeFs.existsSync(out) &&
        filesUnder(out).some((f) => f.includes(".spotpipe-state") && f.endsWith(".checkpoint.json")),
      () => run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const lines = run.stderr().trimEnd().split("\n")
    expect(lines.slice(-2)).toEqual([
      "spotpipe: interrupted; no partial file was published",
      `run "spotpipe run ${job} --out ${out} --resume" to continue`
    ])
    // Nothing at the final path; the partial output stays in the state folder for --resume.
    expect(NodeFs.readdirSync(out).filter((f) => !f.startsWith("."))).toEqual([])
  })
})

describe("node version", () => {
  it("the-version-check-accepts-the-minimum-and-later-and-refuses-older", () => {
    expect(minimumNode).toBe("22.19.0")
    for (const ok of ["22.19.0", "22.20.1", "23.0.0", "24.21.0", "30.0.0"]) expect(unsupportedNode(ok)).toBeUndefined()
    for (const old of ["22.18.9", "22.0.0", "20.20.2", "18.19.0"]) {
      expect(unsupportedNode(old)).toContain(`Node.js ${minimumNode} or later is needed, but this is Node.js ${old}`)
    }
  })

  it("an-older-node-gets-one-line-naming-the-needed-version-and-exit-2", timeout, async () => {
    // Node reports the old version before the launcher runs (its imports are all that differs on a real one).
    const old = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})`
    const run = await runNode(["--import", old, mainPath, "--version"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe(`spotpipe: ${unsupportedNode("20.1.0")}\n`)
  })

  it("the-machines-own-node-runs-the-launcher-or-names-the-version-it-needs", timeout, async () => {
    // The Node on PATH other than the pinned one (machines may have only Node 20): the launcher must parse on it.
    const pinned = NodeFs.realpathSync(process.execPath)
    const system = (process.env["PATH"] ?? "")
      .split(NodePath.delimiter)
      .map((dir) => NodePath.join(dir, "node"))
      .filter((file) => NodeFs.existsSync(file))
      .map((file) => NodeFs.realpathSync(file))
      .find((file) => file !== pinned)
    const node = system ?? pinned
    const version = await new Promise<string>((resolve, reject) => {
      const child = spawn(node, ["-p", "process.versions.node"], { stdio: ["ignore", "pipe", "inherit"] })
      let text = ""
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8")
      })
      child.on("error", reject)
      child.on("close", () => resolve(text.trim()))
    })
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(node, [mainPath, "--version"], { stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
      })
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      child.on("error", reject)
      child.on("close", (code) => resolve({ code, stdout, stderr }))
    })
    const refusal = unsupportedNode(version)
    if (refusal === undefined) {
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain("spotpipe")
    } else {
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(`spotpipe: ${refusal}\n`)
    }
  })
})
