/** What tests of the client's logging share. */
import { Logger } from "effect"

/** A logger that keeps every line with its level. */
export const captureLogs = () => {
  const lines: Array<{ readonly level: string; readonly text: string }> = []
  const logger = Logger.make(({ logLevel, message }) => {
    const parts = Array.isArray(message) ? message : [message]
    lines.push({ level: logLevel, text: parts.map(String).join(" ") })
  })
  return { lines, layer: Logger.layer([logger]) }
}
