/**
 * Helpers shared by the packaging tests: running a command with its failure spelled out, a stranger's environment
 * in which npm cannot reach any network, and the files a folder holds.
 */
import { execFile } from "node:child_process"
import { readdirSync, writeFileSync } from "node:fs"
import { join, relative, sep } from "node:path"

/** A finished command's output. */
export interface Ran {
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command; a failure rejects with the command, its exit and its output, so the test says what broke. */
export const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> =>
  new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`\`${command} ${args.join(" ")}\` in ${cwd} failed: ${error.message}\n${stdout}\n${stderr}`))
      } else resolve({ stdout, stderr })
    })
  })

/** A finished command's output and how it ended, whatever that was. */
export interface Exited extends Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly pid: number | undefined
}

/** Runs a command to its end and reports how it ended (for commands that are expected to fail). */
export const runToEnd = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv
): Promise<Exited> =>
  new Promise((resolve) => {
    const child = execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      resolve({ stdout, stderr, code, signal: error?.signal ?? null, pid: child.pid })
    })
  })

/**
 * The environment of a stranger's shell (none of the npm_/pnpm_ settings a pnpm script run passes down), with
 * npm's user config and cache in `scratch` and its registry on a closed loopback port.
 */
export const strangerEnv = (scratch: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(key) && key !== "NODE_OPTIONS" && key !== "VITEST" && !key.startsWith("VITEST_")) {
      env[key] = value
    }
  }
  writeFileSync(join(scratch, "npmrc"), "")
  return {
    ...env,
    npm_config_userconfig: join(scratch, "npmrc"),
    npm_config_cache: join(scratch, "npm-cache"),
    // Nothing listens on port 9 of loopback: a registry request fails at once instead of going out.
    npm_config_registry: "http://127.0.0.1:9/",
    // npm reads a bare `a/b` spec as a GitHub repository and fetches it with git even offline: no git for npm.
    npm_config_git: "/bin/false",
    npm_config_update_notifier: "false"
  }
}

/** All files under `dir`, relative, with `/` separators. */
export const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort()
