/**
 * A load stopped before it reaches the database (here: at the wizard's first question, left with Ctrl-C, which
 * stops a run as the signal does) says that nothing was loaded, not the export's "no partial file was published".
 */
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Layer } from "effect"
import { TerminalCapabilities } from "effect/cli"
import { TestConsole } from "effect/testing"
import { program } from "../src/cli/Program.ts"
import { key, onTerminals, scriptedTerminal } from "./support/scriptedTerminal.ts"

const ctrlC = key("c", { ctrl: true })

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
