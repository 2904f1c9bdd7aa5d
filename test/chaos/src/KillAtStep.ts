/**
 * The crash suite's `spotpipe`: the CLI with a step probe that SIGKILLs this process the n-th time an output
 * reaches a named step of the engine (`node KillAtStep.js checkpoint-written:4 run job.json …`). The tests run it
 * as the test run bundled it (apps/export/test/support/builtCli.ts: `killAtStepPath`); it runs from source too.
 * The hook is a layer this entry point provides; the shipped CLI has none.
 */
import { enableCompileCache } from "node:module"

// As the installed launcher does: the modules loaded below compile from Node's on-disk cache after the first run.
enableCompileCache()
const { runCli, StepProbe } = await import("@spotpipe/export")
const { Effect, Layer } = await import("effect")

const [spec = "", ...args] = process.argv.slice(2)
const [step, nth = "1"] = spec.split(":")
const target = Number(nth)
if (step === undefined || step === "" || !Number.isInteger(target) || target < 1) {
  process.stderr.write(`KillAtStep: expected <step>:<n> before the CLI's arguments, got "${spec}"\n`)
  process.exit(2)
}
let seen = 0
runCli(
  args,
  Layer.succeed(StepProbe, (at) =>
    Effect.sync(() => {
      if (at === step && ++seen === target) process.kill(process.pid, "SIGKILL")
    })
  )
)
