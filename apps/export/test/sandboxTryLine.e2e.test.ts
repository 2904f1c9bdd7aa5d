/**
 * `spotpipe sandbox` prints a `try:` line to copy into another shell. It must run there as printed: installed, it
 * calls `spotpipe`; from a checkout (`bin/dev.js`, what `pnpm spotpipe` runs), where no `spotpipe` is on the PATH,
 * it calls the checkout's pnpm script through the pinned pnpm, from any folder. Each sandbox runs as its own process
 * on port 0; the line runs in a POSIX shell, in a fresh folder outside the checkout, with the PATH of a user's shell
 * (no `node_modules/.bin`).
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { cliEnv, devPath, mainPath } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-try-line-")

/** The PATH of a user's shell: this one's without the folders a package manager adds for scripts. */
const shellPath = (process.env["PATH"] ?? "")
  .split(NodePath.delimiter)
  .filter((dir) => dir !== "" && !dir.split(NodePath.sep).includes("node_modules"))

/** Runs `command` in `sh -c` in a fresh folder with `path` as PATH: exit code and output. */
const inShell = (command: string, path: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: tempDir(),
      // npx would ask the npm registry for pnpm's versions first: offline, it takes the copy the install cached
      // (no test reaches past loopback).
      env: { ...cliEnv(), PATH: path.join(NodePath.delimiter), npm_config_offline: "true" },
      stdio: ["ignore", "pipe", "pipe"]
    })
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

/** Runs a sandbox from `launcher` and its `try:` line while it listens; what the line printed. */
const tryAgainstRunningSandbox = async (launcher: string, path: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [launcher, "sandbox", "--port", "0", "--rows", "10"], {
    cwd: tempDir(),
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"]
  })
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = ""
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
        if (stdout.includes("Ctrl-C stops it.")) resolve(stdout.split("\n").find((l) => l.startsWith("try: ")) ?? "")
      })
      child.on("error", reject)
      child.on("exit", (code) => reject(new Error(`the sandbox exited (${code}) before its start-up lines: ${stdout}`)))
    })
    expect(line).toMatch(/^try: /)
    return { line, ran: await inShell(line.slice("try: ".length), path) }
  } finally {
    child.kill("SIGINT")
  }
}

describe("the sandbox's try: line", () => {
  it("runs-as-printed-from-a-checkout-in-any-folder", { timeout: 120_000 }, async () => {
    const { line, ran } = await tryAgainstRunningSandbox(devPath, shellPath)
    const root = NodePath.resolve(NodePath.dirname(devPath), "..", "..", "..")
    const pinned = JSON.parse(NodeFs.readFileSync(NodePath.join(root, "package.json"), "utf8")).packageManager
    expect(ran.code, `${line}\n${ran.stderr}`).toBe(0)
    expect(ran.stdout).toContain("type,id,name")
    expect(line).toContain(` npx -y ${pinned} -C ${root} spotpipe metadata --out -`)
  })

  it("calls-spotpipe-when-installed", { timeout: 60_000 }, async () => {
    // As `npm install -g` installs it: `spotpipe` on the PATH, a Node that runs it.
    const bin = tempDir()
    NodeFs.symlinkSync(mainPath, NodePath.join(bin, "spotpipe"))
    const { line, ran } = await tryAgainstRunningSandbox(mainPath, [
      bin,
      NodePath.dirname(process.execPath),
      ...shellPath
    ])
    expect(line).toMatch(/' spotpipe metadata --out -$/)
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toContain("type,id,name")
  })
})
