/**
 * The CLI's entry point: `spotpipe` with the process arguments (see `Main.ts`). The installed `bin/spotpipe.js`
 * loads it as the entry of the bundle in `dist/`; in a checkout `bin/dev.js` (`pnpm spotpipe`) loads this source.
 *
 * Loading the CLI's modules takes a few tenths of a second, and Node's default for SIGINT, SIGTERM and SIGHUP ends
 * the process at once and silently. So the stop signals are caught here first, with nothing loaded but this file:
 * one that arrives while the rest loads is kept, and `runCli` says that the command stopped before it began (it
 * did nothing) instead of running it. Only after this comes the `import()` of the rest (a chunk of its own in the
 * bundle, so that it is not loaded before this file runs).
 */
import type { EarlySignals } from "./Main.ts"

const received: Array<NodeJS.Signals> = []
const keep = (signal: NodeJS.Signals) => {
  received.push(signal)
}
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const
for (const signal of stopSignals) process.on(signal, keep)

const early: EarlySignals = {
  release: () => {
    for (const signal of stopSignals) process.removeListener(signal, keep)
    return received[0]
  }
}

const { runCli } = await import("./Main.ts")
runCli(process.argv.slice(2), undefined, early)
