/**
 * Runs the official-SDK approach (`sdkExport.ts`) as its own process with a generous but fixed heap
 * (`--max-old-space-size=4096`, 13× spotpipe's 300 MB budget) and checks that it wrote every row. Running out
 * of memory or past the time limit is reported as a failure, which is what a user would get.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type ChildResult, runNode } from "./childRun.ts"

const script = join(dirname(fileURLToPath(import.meta.url)), "sdkExport.ts")

/** The heap limit given to the SDK process, MiB. */
export const sdkHeapMiB = 4096

/** Runs the SDK export of `rows` rows from the sandbox at `url`. */
export const runSdk = async (
  url: string,
  rows: number,
  timeoutMs: number
): Promise<ChildResult & { failure: string | undefined }> => {
  const dir = mkdtempSync(join(tmpdir(), "spotpipe-bench-sdk-"))
  try {
    const result = await runNode([`--max-old-space-size=${sdkHeapMiB}`, script, url, join(dir, "orders.csv")], {
      timeoutMs
    })
    if (result.timedOut) return { ...result, failure: `timed out after ${timeoutMs / 1000} s` }
    if (result.code !== 0) {
      const oom = /heap out of memory|Invalid string length|Invalid array length/.exec(result.stderrTail)
      const why = oom === null ? result.stderrTail.trim().split("\n").slice(-1)[0] : oom[0]
      return { ...result, failure: `exit ${result.code ?? result.signal}: ${why}` }
    }
    const written = (JSON.parse(result.stdout) as { rows: number }).rows
    return { ...result, failure: written === rows ? undefined : `wrote ${written} rows, expected ${rows}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
