/**
 * {@link runCli} runs {@link program} on the given arguments with Node services, and exits with its code. SIGINT (Ctrl-C),
 * SIGTERM and SIGHUP interrupt the run: finalizers remove any temp file, the program says so on stderr, and the
 * process exits with 128 + the signal's number (130, 143, 129), as a shell reports a command that a signal
 * ended; a second signal during that cleanup ends the process at once (the same signal again within half a second
 * is the first one delivered twice, as `timeout` does). One that came while this module loaded was
 * kept by the entry point (RunMain.ts) and is handled here. A closed stdout (`--out - | head`) ends the run quietly with 141 (see StdoutWriter.ts); a stdout that
 * cannot be written otherwise (a full disk) fails a run that would end with 0, with exit 1. `RunMain.ts` calls
 * it with the process arguments; a test entry point may add a layer (the crash suite's step probe).
 */
import { writeSync } from "node:fs"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, ConfigProvider, Effect, Exit, Layer, Runtime } from "effect"
import { ExitCode } from "../Failure.ts"
import { interruptedBeforeStart } from "../Interruption.ts"
import { jsonRecord, wantsJson } from "./Logging.ts"
import { program, runningHint, signalExitCode, stopSignal } from "./Program.ts"
import { inert, jsonLine } from "./TerminalText.ts"

/** The first write to stdout that failed for a reason other than its reader leaving (EPIPE). */
let stdoutFailure: NodeJS.ErrnoException | undefined

/**
 * At exit: a run that would end with 0 though stdout lost what it printed fails instead (exit 1), with the one
 * line that says so (JSON with `--log-format json`). Set as the process exits, after every write has settled.
 */
const stdoutLost = (json: boolean) => (code: number) => {
  if (stdoutFailure === undefined || code !== 0) return
  const message = `spotpipe: cannot write to stdout (${stdoutFailure.message}): check where the output goes`
  const line = json
    ? jsonLine(jsonRecord(new Date().toISOString(), "ERROR", message, { exit_code: ExitCode.failed }))
    : inert(message)
  writeSync(2, `${line}\n`)
  process.exitCode = ExitCode.failed
}

/** The signals that stop a run (cleanly); each exits with 128 + its number. */
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const

/** Whether the run logs JSON lines (`--log-format json`): set by {@link runCli} before the run starts. */
let jsonLogs = false

/**
 * Prints `message` as the run's last stderr lines (JSON with `--log-format json`), then `hint`, the command that
 * continues the run (JSON: its `hint` field), and ends the process with `code`.
 */
const exitSaying = (message: string, code: number, hint?: string): never => {
  const line = jsonLogs
    ? jsonLine(
        jsonRecord(new Date().toISOString(), "ERROR", message, {
          ...(hint === undefined ? {} : { hint }),
          exit_code: code
        })
      )
    : [message, ...(hint === undefined ? [] : [`run "${hint}" to continue`])].map(inert).join("\n")
  writeSync(2, `${line}\n`)
  return process.exit(code)
}

/**
 * A second stop signal while the first one's cleanup runs (revoking a token at a cluster that does not answer
 * waits up to 5 s): the process ends at once, saying what the cut-short cleanup leaves. That is what a crash
 * leaves, which every output survives: nothing half-written is published, partial files stay for `--resume`.
 */
const stopAtOnce = (signal: NodeJS.Signals): never => {
  const hint = runningHint.current
  // A load's transaction ends with its connection: the table being loaded is rolled back all the same.
  const left = hint?.left ?? "no partial file was published"
  return exitSaying(
    `spotpipe: stopped at once (a second ${signal}), its cleanup cut short: ${left}, and a token this run signed in with stays valid until it expires`,
    signalExitCode(signal),
    hint?.current
  )
}

/**
 * The stop signals caught by the entry point (RunMain.ts) while the CLI's modules loaded, before the handlers here
 * were in place: `release` hands them over (their listeners removed) and returns the first one, if any arrived.
 */
export interface EarlySignals {
  readonly release: () => NodeJS.Signals | undefined
}

/** The entry point's {@link EarlySignals}, released once the run's own handlers are in place. */
let early: EarlySignals | undefined

/**
 * How soon after the first a signal of the same kind is that one again, not a second: coreutils `timeout` sends
 * its signal to the run and then to its process group, so one SIGTERM can arrive twice; nobody presses Ctrl-C
 * twice this fast on purpose.
 */
const sameSignalMillis = 500

const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  let received: NodeJS.Signals | undefined
  let receivedAt = 0
  const onSignal = (signal: NodeJS.Signals) => {
    // The first signal interrupts and cleans up; a second one ends the process at once.
    if (received !== undefined) {
      if (signal === received && performance.now() - receivedAt < sameSignalMillis) return
      return stopAtOnce(signal)
    }
    received = signal
    receivedAt = performance.now()
    stopSignal.current = signal
    fiber.interruptUnsafe(fiber.id)
  }
  // A write to a closed stdout fails its callback (the data writer turns that into a quiet exit 141); the
  // stream also emits "error", which without a listener would crash the process with a stack trace. Any other
  // failure (a full disk, `> /dev/full`) of what the commands print there (a listing, a JSON report) is kept,
  // so that a run that lost its output does not end with 0 (see `stdoutLost`).
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") stdoutFailure ??= error
  }
  for (const signal of stopSignals) process.on(signal, onSignal)
  // The entry point's listeners go only now that these are in place: with none, Node's default would end the
  // process silently. A signal that came before: the program has not begun, so it did nothing.
  const before = early?.release()
  if (before !== undefined) exitSaying(interruptedBeforeStart, signalExitCode(before))
  process.stdout.on("error", onStdoutError)
  fiber.addObserver((exit) => {
    for (const signal of stopSignals) process.removeListener(signal, onSignal)
    teardown(exit, (code) => {
      // A run that a signal stopped ends with the signal's code, whatever its cleanup reported.
      const final = received !== undefined && code !== 0 ? signalExitCode(received) : code
      if (received !== undefined || final !== 0) process.exit(final)
    })
  })
})

/**
 * The process environment with empty values kept (Effect's default provider drops them), so that a message can say
 * `THOUGHTSPOT_HOST is set but empty` rather than "set THOUGHTSPOT_HOST"; every reader takes an empty value as
 * not set.
 */
const environment = ConfigProvider.layer(ConfigProvider.fromEnv({ preserveEmptyStrings: true }))

/**
 * Runs `spotpipe args…` in this process, with `extra` services (test hooks) besides Node's, and exits with its code;
 * `signals` are the stop signals the entry point caught while this module loaded.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  extra: Layer.Layer<never> = Layer.empty,
  signals?: EarlySignals
): void => {
  early = signals
  jsonLogs = wantsJson(args)
  process.on("exit", stdoutLost(jsonLogs))
  runMain(program(args).pipe(Effect.provide(Layer.mergeAll(NodeServices.layer, environment, extra))), {
    disableErrorReporting: true,
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? Number(exit.value)
          : Cause.hasInterruptsOnly(exit.cause)
            ? ExitCode.interrupted
            : ExitCode.failed
      )
  })
}
