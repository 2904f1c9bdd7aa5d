/**
 * `spotpipe sandbox`: the `@spotpipe/sandbox` server in the foreground. Its flags are parsed by the sandbox
 * package's own `parseSandboxArgs` (the same flags as its `spotpipe-sandbox` bin), so they cannot drift apart.
 * The sandbox package is loaded only when needed: exports from a real cluster never pay for it.
 */
import { Console, Effect, Result } from "effect"
import { ExportError } from "../ExportError.ts"
import { UsageError } from "./UsageError.ts"

/** Loads `@spotpipe/sandbox`. */
export const loadSandbox = Effect.promise(() => import("@spotpipe/sandbox"))

/** Prints the help of `spotpipe sandbox`, ending with examples. */
export const printSandboxHelp = Effect.flatMap(loadSandbox, ({ sandboxUsage }) =>
  Console.log(
    [
      sandboxUsage.replace("spotpipe-sandbox", "spotpipe sandbox"),
      "",
      "Examples:",
      "  spotpipe sandbox --port 4010 --rows 100000",
      "  spotpipe sandbox --faults flaky --token-validity 5"
    ].join("\n")
  )
)

/**
 * What `spotpipe sandbox` prints at start-up: where it listens and the credentials it accepts. These are the
 * sandbox's own fixed test users and its (local, throw-away) trusted-auth key, so they are printed in full.
 */
export const sandboxStartupLines = (
  sandbox: {
    readonly url: string
    readonly rows: number
    readonly timezone: string
    readonly seed: number
    readonly secretKey: string
  },
  users: {
    readonly user: { readonly username: string; readonly password: string }
    readonly limitedUser: { readonly username: string; readonly password: string }
  }
): ReadonlyArray<string> => [
  `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)`,
  `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}`,
  `user ${users.user.username} / ${users.user.password} (full access)`,
  `user ${users.limitedUser.username} / ${users.limitedUser.password} (limited: the Orders model, "Revenue by Month", "Order Details", "Sales Overview")`,
  `trusted-auth secret key: ${sandbox.secretKey}`,
  "(sandbox-only test credentials)",
  `try: THOUGHTSPOT_HOST=${sandbox.url} THOUGHTSPOT_USERNAME=${users.user.username} THOUGHTSPOT_PASSWORD='${users.user.password}' spotpipe metadata --out -`,
  "Ctrl-C stops it."
]

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
    yield* Console.log(sandboxStartupLines(sandbox, fixtures).join("\n"))
    return yield* Effect.never
  }).pipe(Effect.scoped)
