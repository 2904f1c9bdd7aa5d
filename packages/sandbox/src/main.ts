/**
 * `spotpipe-sandbox`: runs the sandbox in the foreground, prints its URL, both test users with their passwords
 * and the sandbox-only secret key (fixed, public test credentials of a local server), then one line per
 * request; Ctrl-C stops it. The flags are those of Flags.ts, parsed by effect/cli: `--help` lists them, and a
 * bad one ends the run with exit code 2 and one line on stderr that names it and says what to use.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Console, Effect, Exit, Schema } from "effect"
import { CliError, CliOutput, Command } from "effect/cli"
import manifest from "../package.json" with { type: "json" }
import { fixtures } from "./Fixtures.ts"
import { makeSandboxCommand } from "./Flags.ts"
import { SandboxOptionError } from "./Options.ts"
import { startSandbox } from "./Sandbox.ts"

const name = "spotpipe-sandbox"

/** One parse error as one line; an unknown flag names the closest ones effect/cli found. */
const errorLine = (error: CliError.NonShowHelpErrors): string => {
  if (error._tag === "UnrecognizedOption") {
    const close = error.suggestions.length > 0 ? `; did you mean ${error.suggestions.join(" or ")}?` : ""
    return `unknown flag ${error.option}${close} (${name} --help lists the flags)`
  }
  return error.message.replaceAll("\n", " ")
}

// Parse errors go to stderr as one line each, without the help text (that is `--help`).
const presenter = CliOutput.layerPresenter({
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.forEach(event.errors, (error) => Console.error(`${name}: ${errorLine(error)}`), { discard: true })
      : CliOutput.defaultPresenter.present(event)
})

/** The sandbox could not start for another reason than its options. */
class SandboxStartError extends Schema.TaggedError<SandboxStartError>()("SandboxStartError", {
  message: Schema.String
}) {}

const serve = makeSandboxCommand(name, { invocation: name, hideSecretKey: false }, (options) =>
  Effect.gen(function* () {
    const sandbox = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startSandbox({ ...options, log: (line) => process.stdout.write(`${line}\n`) }),
        // A bad option or a port in use is a SandboxOptionError (exit 2); anything else fails to start (exit 1).
        catch: (cause) =>
          cause instanceof SandboxOptionError
            ? cause
            : new SandboxStartError({ message: cause instanceof Error ? cause.message : String(cause) })
      }),
      (s) => Effect.promise(() => s.close())
    )
    yield* Console.log(
      `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)\n` +
        `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}\n` +
        `user ${fixtures.user.username} / ${fixtures.user.password} (full access)\n` +
        `user ${fixtures.limitedUser.username} / ${fixtures.limitedUser.password} (limited: the Orders model, "Revenue by Month", "Order Details", "Sales Overview")\n` +
        `orgs: ${fixtures.orgs.map((o) => `${o.name} (${o.id}${o.status === "IN_ACTIVE" ? ", inactive" : ""})`).join(", ")}; tsUserA is in all of them ` +
        `(get a token for one with org_id; the other orgs' users are in the sandbox README)\n` +
        `trusted-auth secret key: ${sandbox.secretKey}\n` +
        `(sandbox-only test credentials)`
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
)

const main = Command.runWith(serve, { version: manifest.version })(process.argv.slice(2)).pipe(
  Effect.catchCause((cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
    const error = Cause.squash(cause)
    // The presenter printed the parse errors already; plain `--help` is a success.
    if (CliError.isCliError(error)) {
      return Effect.succeed(error._tag === "ShowHelp" && error.errors.length === 0 ? 0 : 2)
    }
    const message = error instanceof Error ? error.message : String(error)
    return Effect.as(Console.error(`${name}: ${message}`), error instanceof SandboxOptionError ? 2 : 1)
  }),
  Effect.provide([NodeServices.layer, presenter])
)

// Ctrl-C (or SIGTERM) interrupts the run: the sandbox closes, and the process ends with 0 as a stop it asked for.
NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? typeof exit.value === "number"
          ? exit.value
          : 0
        : Cause.hasInterruptsOnly(exit.cause)
          ? 0
          : 1
    )
})
