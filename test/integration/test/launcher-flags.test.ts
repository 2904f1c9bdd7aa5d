/**
 * How `spotpipe` starts. The installed bin (bin/spotpipe.js) and the checkout's `pnpm spotpipe` / `pnpm demo`
 * (bin/dev.js) share one start: the Node version check, the re-launch with `NodeFlags.leanMemory` and
 * `NodeFlags.leanMemoryEnv` (bin/leanStart.js: V8 sizes its heap and glibc reads its setting at start-up, and the
 * memory figures and the worker-thread default hold only with them), and Node's compile cache. The root scripts
 * add no setting of their own; they run the current sources, with relative paths taken from the folder pnpm was
 * called from (`INIT_CWD`). test/packaging/test/cli.test.ts checks the installed command from outside.
 */
import { execFile, execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { NodeFlags } from "@spotpipe/export"
import { afterAll, describe, expect, inject, it } from "vitest"
import type {} from "../../../apps/export/test/support/builtCli.ts"

const root = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
const bin = inject("spotpipeBin")
const dev = join(root, "apps", "export", "bin", "dev.js")
const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts
const temps: Array<string> = []
const tempDir = () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "spotpipe-launch-")))
  temps.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly pid: number | undefined
}

/** Runs `command` to its end with only `env` (and this Node first on PATH). */
const runToEnd = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<Ran>((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd,
        env: { PATH: [dirname(process.execPath), process.env["PATH"] ?? ""].join(delimiter), HOME: tmpdir(), ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        resolve({ code, stdout, stderr, pid: child.pid })
      }
    )
  })

/**
 * Runs a root package script with arguments as `pnpm <name> …` runs it (pnpm 12, checked): through the shell, in
 * the repository root, with the caller's folder in `INIT_CWD` and the script's name in `npm_lifecycle_event`.
 */
const runScript = (name: string, args: ReadonlyArray<string>, caller: string, env: NodeJS.ProcessEnv = {}) =>
  runToEnd("/bin/sh", ["-c", `${scripts[name]} "$@"`, "sh", ...args], root, {
    INIT_CWD: caller,
    npm_lifecycle_event: name,
    ...env
  })

/** Loaded into every Node a run starts (NODE_OPTIONS survives the re-launch): the process that ends prints. */
const probe =
  "--import=data:text/javascript,process.on('exit',()=>process.stderr.write('\\nPROBE'+JSON.stringify({pid:process.pid,execArgv:process.execArgv,malloc:process.env.MALLOC_MMAP_THRESHOLD_??null})+'\\n'))"
const probed = (ran: Ran) => {
  const lines = ran.stderr.split("\n").filter((line) => line.startsWith("PROBE"))
  expect(lines, ran.stderr).toHaveLength(1)
  return JSON.parse(lines[0]!.slice("PROBE".length)) as { pid: number; execArgv: Array<string>; malloc: string | null }
}

describe("launchers", () => {
  it("the-bins-name-plain-node-and-the-root-scripts-leave-every-setting-to-the-launcher", () => {
    // Plain `node`: `env -S` is missing from some systems (BusyBox); the launchers add the settings themselves.
    for (const file of [bin, dev]) expect(readFileSync(file, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node")
    // One place decides the start-up settings (bin/leanStart.js): the scripts set none by hand.
    expect(scripts["spotpipe"]).toBe("node apps/export/bin/dev.js")
    expect(scripts["demo"]).toBe("node apps/export/bin/dev.js demo")
  })

  it("node-accepts-the-flags-on-its-command-line", () => {
    const out = execFileSync(process.execPath, [...NodeFlags.leanMemory, bin, "--version"], { encoding: "utf8" })
    expect(out.trim()).toMatch(/\d+\.\d+\.\d+/)
  })

  it("the-entry-fills-the-compile-cache-in-the-temp-directory", () => {
    const temp = tempDir()
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temp, TEMP: temp, TMP: temp }
    delete env["NODE_COMPILE_CACHE"]
    delete env["NODE_DISABLE_COMPILE_CACHE"]
    execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8", env })
    expect(readdirSync(join(temp, "node-compile-cache"), { recursive: true }).length).toBeGreaterThan(0)
  })

  it("pnpm-spotpipe-takes-a-relative-out-from-the-folder-pnpm-was-called-from", { timeout: 60_000 }, async () => {
    const caller = tempDir()
    const out = `launch-test-${process.pid}`
    try {
      const ran = await runScript("spotpipe", ["metadata", "--sandbox", "--out", out, "--quiet"], caller)
      expect(ran.code, ran.stderr).toBe(0)
      expect(readdirSync(join(caller, out))).toContain("metadata.csv")
    } finally {
      // Where it landed before: the repository root, the folder pnpm runs root scripts in.
      const stray = existsSync(join(root, out))
      rmSync(join(root, out), { recursive: true, force: true })
      expect(stray).toBe(false)
    }
  })

  it("pnpm-demo-runs-with-the-launchers-settings-and-the-worker-default", { timeout: 60_000 }, async () => {
    const caller = tempDir()
    const ran = await runScript("demo", ["--verbose", "--log-format", "json"], caller, { NODE_OPTIONS: probe })
    expect(ran.code, ran.stderr).toBe(0)
    expect(readdirSync(caller)).toEqual(["spotpipe-demo"])
    const started = probed(ran)
    expect(started.execArgv).toEqual(expect.arrayContaining([...NodeFlags.leanMemory]))
    expect(started.malloc).toBe(NodeFlags.leanMemoryEnv["MALLOC_MMAP_THRESHOLD_"])
    // The data logs name the worker threads: one on two cores or more (the malloc setting reached the CLI).
    const workers = ran.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { pages?: number; workers?: number })
      .filter((line) => typeof line.pages === "number")
      .map((line) => line.workers ?? 0)
    expect(workers.length).toBeGreaterThan(0)
    expect(new Set(workers)).toEqual(new Set([availableParallelism() >= 2 ? 1 : 0]))
  })

  it("the-dev-launcher-uses-init-cwd-only-when-a-package-script-runs-it-in-the-repository-root", async () => {
    // A CLI started by something else in a folder of its own (a test, a tool run from a pnpm script) stays there.
    const here = tempDir()
    const elsewhere = tempDir()
    const ran = await runToEnd(process.execPath, [dev, "metadata", "--sandbox", "--out", "landing", "--quiet"], here, {
      INIT_CWD: elsewhere,
      npm_lifecycle_event: "test"
    })
    expect(ran.code, ran.stderr).toBe(0)
    expect(readdirSync(join(here, "landing"))).toContain("metadata.csv")
    expect(readdirSync(elsewhere)).toEqual([])
  })
})
