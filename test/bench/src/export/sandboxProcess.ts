/**
 * The sandbox as its own process on loopback, as a real cluster would be: spawned from the sandbox package's bin
 * with a row count and optional fault configuration, ready once it prints its URL.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = join(dirname(fileURLToPath(import.meta.url)), "../../../../packages/sandbox/src/main.ts")

/** A running sandbox process. */
export interface SandboxProcess {
  /** Base URL, e.g. `http://127.0.0.1:41234` (API under `/api/rest/2.0`). */
  readonly url: string
  readonly rows: number
  /** Stops the process and waits for it to exit. */
  readonly stop: () => Promise<void>
}

/** Options of {@link startSandboxProcess}. */
export interface SandboxProcessOptions {
  readonly rows: number
  /** Fault configuration (JSON text or a profile name), e.g. a fixed latency per data page. */
  readonly faults?: string
}

/** Starts the sandbox bin on a free port; rejects if it does not print its URL within 30 s. */
export const startSandboxProcess = (options: SandboxProcessOptions): Promise<SandboxProcess> => {
  const args = [bin, "--port", "0", "--rows", String(options.rows), "--seed", "1"]
  if (options.faults !== undefined) args.push("--faults", options.faults)
  // The request log goes to stdout; it is read until the URL shows, then drained so the pipe never fills.
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })
  return new Promise((resolve, reject) => {
    let head = ""
    let ready = false
    const timer = setTimeout(() => {
      child.kill("SIGTERM")
      reject(new Error("the sandbox did not print its URL within 30 s"))
    }, 30_000)
    child.once("exit", (code, signal) => {
      if (!ready) {
        clearTimeout(timer)
        reject(new Error(`the sandbox exited before it was ready (${code ?? signal})`))
      }
    })
    child.stdout?.setEncoding("utf8")
    child.stdout?.on("data", (chunk: string) => {
      if (ready) return
      head += chunk
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(head)
      if (match === null) return
      ready = true
      clearTimeout(timer)
      const stop = () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          child.once("exit", () => done())
          child.kill("SIGTERM")
        })
      resolve({ url: match[1]!, rows: options.rows, stop })
    })
  })
}
