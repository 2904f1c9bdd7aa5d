/**
 * Logging for the CLI: always to stderr (stdout carries data with `--out -`), as short human lines
 * (`spotpipe: warning: …`) or one JSON object per line with `--log-format json`. The level comes from
 * `--log-level` (effect/cli's global flag), `--verbose` (debug) or `--quiet` (warn); info by default.
 * Structured details (objects passed after the message, log annotations) are fields of the JSON object and
 * `key=value` pairs in text. Every line is made inert for the terminal (see `TerminalText.ts`).
 */
import { Console, Effect, Layer, Logger, type LogLevel, Option, References } from "effect"
import { UsageError } from "../UsageError.ts"
import { liveLine } from "./Progress.ts"
import type { LogSettings } from "./Settings.ts"
import { inert, jsonLine } from "./TerminalText.ts"

const isFields = (part: unknown): part is Record<string, unknown> =>
  typeof part === "object" && part !== null && !Array.isArray(part) && !(part instanceof Error)

/** The message text and the structured fields of a log call (`Effect.logDebug("text", { key: value })`). */
const split = (message: unknown, annotations: Record<string, unknown>) => {
  const parts = Array.isArray(message) ? message : [message]
  const fields: Record<string, unknown> = { ...annotations }
  const texts: Array<string> = []
  for (const part of parts) {
    if (isFields(part)) Object.assign(fields, part)
    else texts.push(typeof part === "string" ? part : String(part))
  }
  return { text: texts.join(" "), fields }
}

const fieldText = (value: unknown): string =>
  typeof value === "string" ? (/[\s"=]/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)

/** Human log lines: `spotpipe: <message> key=value…`, with the level named for warnings and worse. */
export const textLogger = Logger.make<unknown, string>(({ logLevel, message, fiber }) => {
  const level =
    logLevel === "Info" || logLevel === "Debug" || logLevel === "Trace"
      ? ""
      : logLevel === "Warn"
        ? "warning: "
        : `${logLevel.toLowerCase()}: `
  const { text, fields } = split(message, fiber.getRef(References.CurrentLogAnnotations))
  const extra = Object.entries(fields).map(([key, value]) => ` ${key}=${fieldText(value)}`)
  return inert(`spotpipe: ${level}${text}${extra.join("")}`)
})

/** `{"timestamp","level","message",…fields}` in that key order (a field never replaces those three). */
export const jsonRecord = (
  timestamp: string,
  level: string,
  message: string,
  fields: Record<string, unknown>
): Record<string, unknown> => Object.assign({ timestamp, level, message }, fields, { timestamp, level, message })

/** JSON log lines: `{"timestamp","level","message",…fields}` (level as Effect names it: `WARN`), one object per line. */
export const jsonLogger = Logger.make<unknown, string>(({ logLevel, message, fiber, date }) => {
  const { text, fields } = split(message, fiber.getRef(References.CurrentLogAnnotations))
  return jsonLine(jsonRecord(date.toISOString(), logLevel.toUpperCase(), text, fields))
})

/**
 * The minimum log level: `--log-level` when given, else debug with `--verbose`, warn with `--quiet`, else info.
 * `--log-level` together with `--verbose` or `--quiet` must say the same.
 */
export const logLevelOf = (
  settings: Pick<LogSettings, "quiet" | "verbose">,
  flag: Option.Option<LogLevel.LogLevel>
): Effect.Effect<LogLevel.LogLevel, UsageError> => {
  const implied: LogLevel.LogLevel | undefined = settings.verbose ? "Debug" : settings.quiet ? "Warn" : undefined
  if (Option.isNone(flag)) return Effect.succeed(implied ?? "Info")
  if (implied !== undefined && implied !== flag.value) {
    return Effect.fail(
      new UsageError({
        message: `--log-level ${flag.value.toLowerCase()} and ${settings.verbose ? "--verbose" : "--quiet"} contradict each other: pass only one`
      })
    )
  }
  return Effect.succeed(flag.value)
}

/**
 * `logger`'s lines on stderr (the fiber's console): a progress line drawn there (`line`, see Progress.ts) is
 * cleared first, so that the log line takes its place rather than being glued to its end.
 */
export const toStderr = <Message>(logger: Logger.Logger<Message, string>, line: { drawn: boolean } = liveLine) =>
  Logger.make<Message, void>((options) => {
    const console = options.fiber.getRef(Console.Console)
    const text = logger.log(options)
    if (!line.drawn) return console.error(text)
    line.drawn = false
    console.error(`\r\u001b[2K${text}`)
  })

/** The logger layer for `settings` at `level`. */
export const loggingLayer = (settings: LogSettings, level: LogLevel.LogLevel): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.layer([toStderr(settings.format === "json" ? jsonLogger : textLogger)]),
    Layer.succeed(References.MinimumLogLevel, level)
  )

/** Whether `args` ask for debug output (`--verbose` or `--log-level debug|trace|all`): failures then show their full cause. */
export const wantsFullCause = (args: ReadonlyArray<string>): boolean =>
  args.some((arg, i) => {
    if (arg === "--verbose") return true
    const value = arg.startsWith("--log-level=") ? arg.slice(12) : arg === "--log-level" ? args[i + 1] : undefined
    return value !== undefined && ["debug", "trace", "all"].includes(value.toLowerCase())
  })

/** Whether `args` ask for JSON logs (`--log-format json`): every stderr line is then one JSON object. */
export const wantsJson = (args: ReadonlyArray<string>): boolean =>
  args.some(
    (arg, i) =>
      arg.toLowerCase() === "--log-format=json" || (arg === "--log-format" && args[i + 1]?.toLowerCase() === "json")
  )

const levelNames: Readonly<Record<string, LogLevel.LogLevel>> = {
  all: "All",
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  fatal: "Fatal",
  none: "None"
}

/**
 * The logging `args` ask for, read from the words themselves: for log lines that come before or outside a
 * command's own logging (`withLogging`), e.g. of a command without logging flags. Those lines then still go to
 * stderr in spotpipe's format at the level asked for, never to stdout in Effect's default format.
 */
export const loggingFromArgs = (args: ReadonlyArray<string>): Layer.Layer<never> => {
  const end = args.indexOf("--")
  const words = end === -1 ? args : args.slice(0, end)
  let level: LogLevel.LogLevel | undefined
  words.forEach((arg, i) => {
    const value = arg.startsWith("--log-level=") ? arg.slice(12) : arg === "--log-level" ? words[i + 1] : undefined
    const named = value === undefined ? undefined : levelNames[value.toLowerCase()]
    if (named !== undefined) level = named
  })
  const verbose = words.includes("--verbose")
  const quiet = words.includes("--quiet")
  return loggingLayer(
    { quiet, verbose, format: wantsJson(words) ? "json" : "text" },
    level ?? (verbose ? "Debug" : quiet ? "Warn" : "Info")
  )
}
