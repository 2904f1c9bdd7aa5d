/**
 * `spotpipe` from source, held the first time an output reaches a named step of the engine until the test lets it
 * go: `node PauseAtStep.ts page-written /tmp/hold run job.json …` creates the file `/tmp/hold` there and waits
 * while it exists. A test starts another run while this one is held, at a known point, rather than hoping a slow
 * server keeps it busy long enough. The hook is a layer this entry point provides; the shipped CLI has none.
 */
import * as NodeFs from "node:fs"
import { Effect, Layer } from "effect"
import { runCli, StepProbe } from "../../src/index.ts"

const [step = "", hold = "", ...args] = process.argv.slice(2)
if (step === "" || hold === "") {
  process.stderr.write(`PauseAtStep: expected <step> <hold file> before the CLI's arguments\n`)
  process.exit(2)
}
let held = false
runCli(
  args,
  Layer.succeed(StepProbe, (at) =>
    at !== step || held
      ? Effect.void
      : Effect.promise(async () => {
          held = true
          NodeFs.writeFileSync(hold, String(process.pid))
          while (NodeFs.existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 20))
        })
  )
)
