/**
 * Runs one Node script as its own process and measures what a user would see: wall time and the peak resident
 * memory of the whole process, and the CPU time it used (user + system, all its threads) where GNU time gives it. Peak RSS comes from the kernel's own accounting (`ru_maxrss` of the reaped child,
 * printed by GNU `/usr/bin/time`); where that tool is missing, `VmHWM` (the kernel-kept high-water mark) is read
 * from `/proc/<pid>/status` every 20 ms, which can miss only growth in the last 20 ms of the process.
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** What one process run did. */
export interface ChildResult {
  /** Exit code, or null if a signal ended it. */
  readonly code: number | null
  readonly signal: string | null
  readonly wallMs: number
  /** Peak resident set size, bytes. */
  readonly peakRssBytes: number
  /** CPU seconds, user + system, of every thread of the process; undefined without GNU `/usr/bin/time`. */
  readonly cpuSeconds: number | undefined
  readonly stdout: string
  /** The last 2 000 characters of stderr (enough to say why a run failed). */
  readonly stderrTail: string
  /** The run was stopped because it exceeded its time limit. */
  readonly timedOut: boolean
}

const gnuTime =
  existsSync("/usr/bin/time") && spawnSync("/usr/bin/time", ["-f", "%M", "true"], { encoding: "utf8" }).status === 0

/** How peak RSS is measured on this machine (printed with the results). */
export const rssMethod = gnuTime
  ? "ru_maxrss of the child via GNU /usr/bin/time -f %M"
  : "VmHWM from /proc/<pid>/status, polled every 20 ms"

const vmHwmBytes = (pid: number): number => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? 0 : Number(match[1]) * 1024
  } catch {
    return 0
  }
}

/** Options of {@link runNode}. */
export interface RunOptions {
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** The process group is killed after this long (default 10 minutes). */
  readonly timeoutMs?: number
}

/** Runs `node <nodeArgs…>` with this process's Node binary, in its own process group. */
export const runNode = (nodeArgs: ReadonlyArray<string>, options: RunOptions = {}): Promise<ChildResult> => {
  const dir = mkdtempSync(join(tmpdir(), "spotpipe-bench-time-"))
  const timeFile = join(dir, "time.txt")
  const [command, args] = gnuTime
    ? ["/usr/bin/time", ["-f", "%U %S %M", "-o", timeFile, process.execPath, ...nodeArgs]]
    : [process.execPath, [...nodeArgs]]
  const started = performance.now()
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a timeout stops both GNU time and the Node process under it.
    detached: true,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd })
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8")
  child.stderr.setEncoding("utf8")
  child.stdout.on("data", (c: string) => {
    if (stdout.length < 100_000) stdout += c
  })
  child.stderr.on("data", (c: string) => {
    stderr = (stderr + c).slice(-2000)
  })
  let polled = 0
  const poller = gnuTime
    ? undefined
    : setInterval(() => {
        if (child.pid !== undefined) polled = Math.max(polled, vmHwmBytes(child.pid))
      }, 20)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
  }, options.timeoutMs ?? 600_000)
  return new Promise((resolve, reject) => {
    child.once("error", reject)
    child.once("close", (exitCode, exitSignal) => {
      const wallMs = performance.now() - started
      clearTimeout(timer)
      if (poller !== undefined) clearInterval(poller)
      let code = exitCode
      let signal: string | null = exitSignal
      let peakRssBytes = polled
      let cpuSeconds: number | undefined
      if (gnuTime) {
        const text = existsSync(timeFile) ? readFileSync(timeFile, "utf8") : ""
        // GNU time writes "Command terminated by signal N" / "Command exited with non-zero status N" before its line.
        const lines = text.trim().split("\n")
        const [user, system, rss] = (lines[lines.length - 1] ?? "").split(" ").map(Number)
        peakRssBytes = (rss ?? 0) * 1024 || 0
        cpuSeconds = (user ?? Number.NaN) + (system ?? Number.NaN) || undefined
        const bySignal = /terminated by signal (\d+)/.exec(text)
        if (bySignal !== null) {
          code = null
          signal = `signal ${bySignal[1]}`
        }
      }
      rmSync(dir, { recursive: true, force: true })
      resolve({ code, signal, wallMs, peakRssBytes, cpuSeconds, stdout, stderrTail: stderr, timedOut })
    })
  })
}
