/**
 * The sandbox's command-line flags, defined once with effect/cli and used by both the package bin
 * (`spotpipe-sandbox`) and the CLI's `spotpipe sandbox`. Every flag checks its own value (type, range, choices),
 * so a bad one fails while parsing with a message that names the flag and says what to use; the defaults are
 * those of the foreground server (port 4010, unlike `startSandbox`'s free port). It loads none of the server:
 * the CLI imports it (`@spotpipe/sandbox/flags`) at start-up and the server only when the command runs.
 */
import { Config, type Effect, Option, Redacted } from "effect"
import { Command, Flag } from "effect/cli"
import { faultProfileNames, resolveFaults } from "./Faults.ts"
import { isValidTimeZone } from "./internal/Zone.ts"
import { maxRows, type SandboxOptions } from "./Options.ts"

/** The environment variable that sets the trusted-auth secret key when `--secret-key` is not given. */
export const secretKeyVariable = "SPOTPIPE_SANDBOX_SECRET_KEY"

/** The port of the foreground sandbox when `--port` is not given. */
export const defaultFlagPort = 4010

const decimalInteger = /^[+-]?\d+$/
const decimalNumber = /^[+-]?(\d+\.?\d*|\.\d+)$/

/** An integer flag within [min, max]; any other value fails with `expected`, which says what to use. */
const integerFlag = (name: string, min: number, max: number, expected: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar("integer"),
    Flag.filterMap(
      (text) => {
        const n = decimalInteger.test(text.trim()) ? Number(text) : Number.NaN
        return Number.isSafeInteger(n) && n >= min && n <= max ? Option.some(n) : Option.none()
      },
      () => expected
    )
  )

/** Why `--faults` text is not a fault profile, as what to use instead. */
const faultsExpected = (text: string): string => {
  const problem = resolveFaults(text)
  return text.trim().startsWith("{") && typeof problem === "string"
    ? `a faults JSON object that parses and checks (${problem})`
    : `a profile (${faultProfileNames.join(", ")}) or a JSON object`
}

/** The sandbox's flags (effect/cli), for `Command.make`; {@link sandboxOptionsFromFlags} turns their values into options. */
export const sandboxFlags = {
  port: integerFlag("port", 0, 65535, "an integer from 0 to 65535 (0 picks any free port)").pipe(
    Flag.withDescription(`TCP port; 0 picks any free port (default ${defaultFlagPort})`),
    Flag.withDefault(defaultFlagPort)
  ),
  host: Flag.String("host").pipe(
    Flag.withMetavar("address"),
    Flag.withDescription("bind address (default 127.0.0.1)"),
    Flag.withDefault("127.0.0.1")
  ),
  rows: integerFlag("rows", 0, maxRows, `an integer from 0 to ${maxRows}`).pipe(
    Flag.withDescription(`rows in the Orders model, 0 to ${maxRows}, generated lazily (default 10000)`),
    Flag.withDefault(10_000)
  ),
  timezone: Flag.String("timezone").pipe(
    Flag.withMetavar("zone"),
    Flag.filter(isValidTimeZone, () => "an IANA time zone such as America/Los_Angeles, Europe/Berlin or UTC"),
    Flag.withDescription("cluster time zone, IANA (default America/Los_Angeles)"),
    Flag.withDefault("America/Los_Angeles")
  ),
  customCalendar: Flag.Literals("custom-calendar", ["true", "false", "with-end"]).pipe(
    Flag.withOptionalValue("true"),
    Flag.withDescription('date cells as {"v":{"s":…}}; --custom-calendar=with-end adds "e" (the period end)'),
    Flag.withDefault("false")
  ),
  orderIds: Flag.Literals("order-ids", ["beyond-2^53", "safe"]).pipe(
    Flag.withDescription(
      "beyond-2^53 (default: most Order IDs exceed 2^53) or safe (same digit count, every one within 2^53)"
    ),
    Flag.withDefault("beyond-2^53")
  ),
  faults: Flag.String("faults").pipe(
    Flag.withMetavar("profile"),
    Flag.filter((text) => typeof resolveFaults(text) !== "string", faultsExpected),
    Flag.withDescription(`fault profile: ${faultProfileNames.join(", ")} (default none), or a JSON object`),
    Flag.optional
  ),
  tokenValidity: Flag.String("token-validity").pipe(
    Flag.withMetavar("seconds"),
    Flag.filterMap(
      (text) => {
        const n = decimalNumber.test(text.trim()) ? Number(text) : Number.NaN
        return n > 0 && Number.isFinite(n) ? Option.some(n) : Option.none()
      },
      () => "a number of seconds above 0"
    ),
    Flag.withDescription("caps every token's validity at this many seconds (overrides the fault profile's)"),
    Flag.optional
  ),
  seed: integerFlag(
    "seed",
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
    "an integer (within ±9007199254740991)"
  ).pipe(Flag.withDescription("seed of the data and of the fault decisions (default 1)"), Flag.withDefault(1)),
  errorShape: Flag.Literals("error-shape", ["nested", "flat"]).pipe(
    Flag.withDescription("error bodies: nested (default, as live clusters) or flat (the spec's examples)"),
    Flag.withDefault("nested")
  ),
  noUserAgentCheck: Flag.Boolean("no-user-agent-check").pipe(
    Flag.withDescription("accept requests without User-Agent"),
    Flag.withDefault(false)
  ),
  // Redacted: a rejected key is shown as <redacted>, never echoed. An empty variable is no key (undefined) whatever
  // the config provider does with empty values (spotpipe's keeps them, to say which variables are set but empty).
  secretKey: Flag.Redacted("secret-key").pipe(
    Flag.withMetavar("key"),
    Flag.withFallbackConfig(
      Config.String(secretKeyVariable).pipe(Config.map((key) => (key === "" ? undefined : Redacted.make(key))))
    ),
    Flag.filter(
      (key) => key === undefined || Redacted.value(key).length >= 8,
      () => `a key of at least 8 characters (from --secret-key or ${secretKeyVariable})`
    ),
    Flag.withDescription(
      `the sandbox's own trusted-auth key (a test key, visible in the process list); default ${secretKeyVariable}, else a random one printed at start`
    ),
    Flag.optional
  )
} as const

/** The values of {@link sandboxFlags} after parsing. */
export type SandboxFlagValues = Command.Command.Config.Infer<typeof sandboxFlags>

/** Turns parsed flag values into `startSandbox` options (every value was checked by its flag). */
export const sandboxOptionsFromFlags = (flags: SandboxFlagValues): SandboxOptions => {
  const faults = Option.getOrUndefined(flags.faults)
  const tokenValiditySeconds = Option.getOrUndefined(flags.tokenValidity)
  const key = Option.getOrUndefined(flags.secretKey)
  const secretKey = key === undefined ? undefined : Redacted.value(key)
  return {
    port: flags.port,
    host: flags.host,
    rows: flags.rows,
    timezone: flags.timezone,
    customCalendar: flags.customCalendar === "with-end" ? "with-end" : flags.customCalendar === "true",
    orderIds: flags.orderIds,
    seed: flags.seed,
    errorShape: flags.errorShape,
    requireUserAgent: !flags.noUserAgentCheck,
    ...(faults === undefined ? {} : { faults }),
    ...(tokenValiditySeconds === undefined ? {} : { tokenValiditySeconds }),
    ...(secretKey === undefined ? {} : { secretKey })
  }
}

/**
 * A command named `name` that takes {@link sandboxFlags} and hands `run` the options they give. `invocation` is
 * how a user types it (for the examples); `hideSecretKey` keeps `--secret-key` out of the help of a program
 * that refuses secrets as flags (the key then comes from {@link secretKeyVariable}).
 */
export const makeSandboxCommand = <const Name extends string, E, R>(
  name: Name,
  settings: { readonly invocation: string; readonly hideSecretKey: boolean },
  run: (options: SandboxOptions) => Effect.Effect<void, E, R>
) =>
  Command.make(
    name,
    settings.hideSecretKey ? { ...sandboxFlags, secretKey: Flag.withHidden(sandboxFlags.secretKey) } : sandboxFlags,
    (flags) => run(sandboxOptionsFromFlags(flags))
  ).pipe(
    Command.withShortDescription("Run the ThoughtSpot-compatible sandbox in the foreground"),
    Command.withDescription(
      "Run the ThoughtSpot-compatible sandbox in the foreground: it prints its URL, both test users and the " +
        `trusted-auth secret key (${secretKeyVariable}, else a random one), then one line per request; Ctrl-C stops it`
    ),
    Command.withExamples([
      { command: `${settings.invocation} --port 4010 --rows 100000`, description: "100 000 rows on port 4010" },
      { command: `${settings.invocation} --faults flaky --token-validity 5`, description: "faults and short tokens" }
    ])
  )
