/**
 * Concurrency: the sandbox adds a fixed 50 ms before every data page (as a distant cluster would), and the same
 * CSV export runs at several `--concurrency` values (pages fetched ahead). Pages of 10 000 rows (the CLI's
 * default), so a 2 M-row export makes 200 requests and latency is a real share of the time.
 */
import { startSandboxProcess } from "./sandboxProcess.ts"
import { runSpotpipe, type SpotpipeRun } from "./spotpipeRun.ts"

/** Latency added to every `searchdata` response, ms. */
export const latencyMs = 50

/** Runs the export once per concurrency value against one latency sandbox. */
export const runConcurrency = async (
  rows: number,
  levels: ReadonlyArray<number>,
  timeoutMs: number
): Promise<{ pageSize: number; runs: ReadonlyArray<{ concurrency: number; run: SpotpipeRun }> }> => {
  const pageSize = 10_000
  const sandbox = await startSandboxProcess({
    rows,
    faults: JSON.stringify({ routes: { searchdata: { latencyMs } } })
  })
  try {
    const runs: Array<{ concurrency: number; run: SpotpipeRun }> = []
    for (const concurrency of levels) {
      runs.push({
        concurrency,
        run: await runSpotpipe({ url: sandbox.url, rows, format: "csv", pageSize, concurrency, timeoutMs })
      })
    }
    return { pageSize, runs }
  } finally {
    await sandbox.stop()
  }
}
