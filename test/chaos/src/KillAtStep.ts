/**
 * The crash suite's `spotpipe`: the CLI from source with a step probe that SIGKILLs this process the n-th time an
 * output reaches a named step of the engine (`node KillAtStep.ts checkpoint-written:4 run job.json …`). The hook
 * is a layer this entry point provides; the shipped CLI has none.
 */
import { runCli, StepProbe } from "@spotpipe/export"
import { Effect, Layer } from "effect"

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
