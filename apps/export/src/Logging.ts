/**
 * Logging for the CLI: always to stderr (stdout carries data with `--out -`), as short human lines
 * (`spotpipe: warning: …`) or one JSON object per line with `--log-format json`. `--verbose` shows debug lines,
 * `--quiet` only warnings and errors.
 */
import { Layer, Logger, References } from "effect"
import type { LogSettings } from "./OptionGate.ts"

const textOf = (message: unknown): string =>
  (Array.isArray(message) ? message : [message])
    .map((part) => (typeof part === "string" ? part : String(part)))
    .join(" ")

/** Human log lines: `spotpipe: <message>`, with the level named for warnings and worse. */
export const textLogger = Logger.make<unknown, string>(({ logLevel, message }) => {
  const level =
    logLevel === "Info" || logLevel === "Debug" || logLevel === "Trace"
      ? ""
      : logLevel === "Warn"
        ? "warning: "
        : `${logLevel.toLowerCase()}: `
  return `spotpipe: ${level}${textOf(message)}`
})

/** The logger layer for `settings`. */
export const loggingLayer = (settings: LogSettings): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.layer([Logger.withConsoleError(settings.format === "json" ? Logger.formatJson : textLogger)]),
    Layer.succeed(References.MinimumLogLevel, settings.verbose ? "Debug" : settings.quiet ? "Warn" : "Info")
  )
