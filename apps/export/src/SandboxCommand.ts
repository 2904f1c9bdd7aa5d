/**
 * `spotpipe sandbox`: the `@spotpipe/sandbox` server in the foreground. Its flags are parsed by the sandbox
 * package's own `parseSandboxArgs` (the same flags as its `spotpipe-sandbox` bin), so they cannot drift apart.
 * The sandbox package is loaded only when needed: exports from a real cluster never pay for it.
 */
import { Console, Effect, Result } from "effect"
import { ExportError } from "./ExportError.ts"
import { UsageError } from "./UsageError.ts"

/** Loads `@spotpipe/sandbox`. */
export const loadSandbox = Effect.promise(() => import("@spotpipe/sandbox"))

/** Prints the help of `spotpipe sandbox`. */
export const printSandboxHelp = Effect.flatMap(loadSandbox, ({ sandboxUsage }) =>
  Console.log(sandboxUsage.replace("spotpipe-sandbox", "spotpipe sandbox"))
)

/** Starts the sandbox with `args` and serves until interrupted (Ctrl-C), then closes it. */
export const runSandboxCommand = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { fixtures, parseSandboxArgs, startSandbox } = yield* loadSandbox
    const parsed = parseSandboxArgs(args, process.env)
    if (Result.isFailure(parsed)) return yield* new UsageError({ message: parsed.failure.message })
    const sandbox = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startSandbox({ ...parsed.success, log: (line) => process.stderr.write(`${line}\n`) }),
        catch: (cause) =>
          new ExportError({
            kind: "Io",
            message: `cannot start the sandbox: ${cause instanceof Error ? cause.message : String(cause)}`,
            cause
          })
      }),
      (s) => Effect.promise(() => s.close())
    )
    yield* Console.log(
      [
        `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)`,
        `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}`,
        `user ${fixtures.user.username} / ${fixtures.user.password} (sandbox-only demo credentials)`,
        `try: THOUGHTSPOT_HOST=${sandbox.url} THOUGHTSPOT_USERNAME=${fixtures.user.username} THOUGHTSPOT_PASSWORD='${fixtures.user.password}' spotpipe metadata --out -`,
        "Ctrl-C stops it."
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
