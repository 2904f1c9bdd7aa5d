/**
 * What the CLI tests share about a sandbox and a run's folder: a sandbox for a file's tests that counts the
 * requests it answers, the environment that points the CLI at a sandbox as its full-access test user, a job file
 * written into a folder, and what a run left there (every file, the manifest, a text file's lines, the watermarks).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fixtures, type RunningSandbox, type SandboxOptions, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll } from "vitest"

/** A sandbox started for the tests of a file (or a `describe`), with the requests it answered. */
export interface TestSandbox {
  /** The running sandbox (from the tests' `beforeAll` on). */
  readonly sandbox: RunningSandbox
  /** Requests answered so far on the route (`searchdata`, `metadata/answer/data`, …), whatever their status. */
  readonly requests: (route: string) => number
}

/**
 * Call at the top of a test file (or of a `describe`): a sandbox with `options` started before its tests and closed
 * after them, counting the requests it answers by route (a `log` in `options` is not called).
 */
export const testSandbox = (options: SandboxOptions = {}): TestSandbox => {
  let running: RunningSandbox | undefined
  const answered = new Map<string, number>()
  beforeAll(async () => {
    running = await startSandbox({
      ...options,
      // A line is "METHOD /api/rest/2.0/route STATUS …".
      log: (line) => {
        const path = line.split(" ")[1] ?? ""
        answered.set(path, (answered.get(path) ?? 0) + 1)
      }
    })
  })
  afterAll(() => running?.close())
  return {
    get sandbox() {
      if (running === undefined) throw new Error("testSandbox: the sandbox starts in beforeAll; use it in a test")
      return running
    },
    requests: (route) => {
      let count = 0
      for (const [path, n] of answered) if (path.endsWith(`/${route}`)) count += n
      return count
    }
  }
}

/** THOUGHTSPOT_HOST, _USERNAME and _PASSWORD for `sandbox` and `user` (default: the full-access user). */
export const sandboxEnv = (
  sandbox: { readonly url: string },
  user: { readonly username: string; readonly password: string } = fixtures.user
): Record<string, string> => ({
  THOUGHTSPOT_HOST: sandbox.url,
  THOUGHTSPOT_USERNAME: user.username,
  THOUGHTSPOT_PASSWORD: user.password
})

/** Every file under `dir`, hidden ones included: relative path → bytes. */
export const filesIn = (dir: string): Map<string, Buffer> => {
  const files = new Map<string, Buffer>()
  const walk = (at: string) => {
    for (const entry of NodeFs.readdirSync(at, { withFileTypes: true })) {
      const full = NodePath.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.set(NodePath.relative(dir, full), NodeFs.readFileSync(full))
    }
  }
  walk(dir)
  return files
}

/** The `manifest.json` a run left in `dir`, of the shape the test reads (`M`). */
export const manifestIn = <M>(dir: string): M =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as M

/** Writes `job` as the job file `dir/<name>.json` (default `job.json`); returns its path. */
export const writeJob = (dir: string, job: object, name = "job"): string => {
  const path = NodePath.join(dir, `${name}.json`)
  NodeFs.writeFileSync(path, JSON.stringify(job))
  return path
}

/** The lines of a text file a run wrote (an NDJSON file's rows), none for an empty file. */
export const linesIn = (file: string): Array<string> => {
  const text = NodeFs.readFileSync(file, "utf8")
  return text === "" ? [] : text.trimEnd().split("\n")
}

/** One export's watermark, as a run records it for the next `--since last`. */
export interface Watermark {
  readonly kind: string
  readonly column?: string
  readonly value: string
}

/** The watermarks a run left in `dir` (`.spotpipe-state/watermarks.json`), one per export. */
export const watermarksIn = (dir: string): Array<Watermark> =>
  Object.values(
    (
      JSON.parse(NodeFs.readFileSync(NodePath.join(dir, ".spotpipe-state", "watermarks.json"), "utf8")) as {
        exports: Record<string, Watermark>
      }
    ).exports
  )
