/** The module hooks of holdEntryImport.mjs: the hold, on the hooks thread. */
import { existsSync, writeFileSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"

/** @type {string | undefined} */
let hold
/** The module the entry point imports first, once resolved: its loading is held. */
/** @type {string | undefined} */
let held

/** @param {{ hold?: string }} data */
export const initialize = (data) => {
  hold = data.hold
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context: unknown) => Promise<{ url: string }>} next
 */
export const resolve = async (specifier, context, next) => {
  const resolved = await next(specifier, context)
  const fromEntry = context.parentURL?.endsWith("/RunMain.js") === true && !specifier.startsWith("node:")
  if (hold !== undefined && held === undefined && fromEntry) held = resolved.url
  return resolved
}

/**
 * @param {string} url
 * @param {unknown} context
 * @param {(url: string, context: unknown) => Promise<unknown>} next
 */
export const load = async (url, context, next) => {
  if (hold !== undefined && url === held) {
    held = ""
    writeFileSync(hold, String(process.pid))
    while (existsSync(hold)) await sleep(10)
  }
  return next(url, context)
}
