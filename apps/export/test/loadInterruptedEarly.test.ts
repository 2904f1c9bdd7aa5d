/**
 * A load stopped before it reaches the database (here: at the wizard's first question, left with Ctrl-C, which
 * stops a run as the signal does) says that nothing was loaded, not the export's "no partial file was published".
 */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Layer, Option, Queue, Terminal } from "effect"
import { TerminalCapabilities } from "effect/cli"
import { TestConsole } from "effect/testing"
import { program } from "../src/cli/Program.ts"

/** A terminal whose keys are `keys` (then its input ends), recording what is shown on it. */
const scriptedTerminal = (keys: ReadonlyArray<Terminal.UserInput>, shown: Array<string>) =>
  Layer.succeed(Terminal.Terminal)(
    Terminal.make({
      columns: Effect.succeed(80),
      rows: Effect.succeed(24),
      size: Effect.flatMap(Queue.make<Terminal.Size, Cause.Done>(), (queue) =>
        Effect.as(Queue.offer(queue, { columns: 80, rows: 24 }), queue)
      ),
      readInput: Effect.gen(function* () {
        const queue = yield* Queue.make<Terminal.UserInput, Cause.Done>()
        yield* Queue.offerAll(queue, keys)
        yield* Queue.end(queue)
        return queue
      }),
      readLine: Effect.fail(new Terminal.QuitError({})),
      display: (text) => Effect.sync(() => void shown.push(text))
    })
  )

const ctrlC: Terminal.UserInput = {
  input: Option.none(),
  key: { name: "c", ctrl: true, meta: false, shift: false }
}

/** Runs `effect` with stdin and stdout taken for terminals (`isTTY`), as the wizard needs. */
const onTerminals = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const streams = [process.stdin, process.stdout]
  const before = streams.map((s) => Object.getOwnPropertyDescriptor(s, "isTTY"))
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      for (const s of streams) Object.defineProperty(s, "isTTY", { value: true, configurable: true })
    }),
    () => effect,
    () =>
      Effect.sync(() =>
        streams.forEach((s, i) => {
          const own = before[i]
          if (own === undefined) delete (s as { isTTY?: boolean }).isTTY
          else Object.defineProperty(s, "isTTY", own)
        })
      )
  )
}

describe("a load interrupted before it reaches the database", () => {
  it.live("says-nothing-was-loaded", () =>
    Effect.gen(function* () {
      const shown: Array<string> = []
      const run = yield* onTerminals(
        Effect.gen(function* () {
          const exit = yield* Effect.exit(program(["load", "--wizard"]))
          return { exit, stderr: (yield* TestConsole.errorLines).map(String).join("\n") }
        })
      ).pipe(
        Effect.provideService(TerminalCapabilities.TerminalCapabilities, {
          canColor: false,
          canAnimate: true,
          canPrompt: true
        }),
        Effect.provide(
          Layer.mergeAll(
            NodeServices.layer,
            scriptedTerminal([ctrlC], shown),
            TestConsole.layer,
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))
          )
        )
      )
      expect(shown.join("").length).toBeGreaterThan(0)
      expect(Exit.isFailure(run.exit) && Cause.hasInterruptsOnly(run.exit.cause), String(run.exit)).toBe(true)
      expect(run.stderr).toBe("spotpipe: interrupted; nothing was loaded")
    })
  )
})
