/**
 * The inert stand-in for `effect` that the transcode worker loads instead of the real thing (see
 * TranscodeWorker.ts for why). Run from source, the worker answers `effect` with it through a resolve hook; in
 * the bundled CLI, the worker's bundle is built with it in Effect's place (scripts/bundle.ts). Both make it with
 * {@link effectStandIn}, so the two ways behave alike.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Set on `globalThis` once the worker's modules are loaded: the stand-in then refuses calls. */
export const loadedKey = "spotpipe.TranscodeWorker.loaded"

/**
 * The stand-in's source: it exports every name the real entry (at `entryUrl`) exports, each an inert value —
 * callable while modules load, constructible (an `Error`, so `class E extends Schema.TaggedError<E>()(…)` still
 * makes errors), with every property another inert value. Module-level schema definitions thus load without
 * running anything. The names are read from the real entry's text (its `export` lists), so they follow Effect's
 * version.
 */
export const effectStandIn = (entryUrl: string): string => {
  const text = readFileSync(fileURLToPath(entryUrl), "utf8").replace(/\/\*[\s\S]*?\*\//g, "")
  const names = new Set<string>()
  for (const [, name] of text.matchAll(/export \* as (\w+) from/g)) names.add(name!)
  for (const [, list] of text.matchAll(/export \{([^}]*)\}/g)) {
    for (const item of list!.split(",")) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .pop()
      if (name !== undefined && /^\w+$/.test(name)) names.add(name)
    }
  }
  return `
const loaded = Symbol.for(${JSON.stringify(loadedKey)})
const inert = new Proxy(function () {}, {
  get: (_, key) =>
    key === "prototype" ? Error.prototype : key === "then" ? undefined : key === Symbol.toPrimitive ? () => "" : inert,
  apply: () => {
    if (globalThis[loaded] === true) throw new Error("Effect is not loaded in the transcode worker")
    return inert
  },
  construct: (_, args, newTarget) => Object.assign(Reflect.construct(Error, [args[0]?.message], newTarget), args[0])
})
export { ${[...names].map((name) => `inert as ${name}`).join(", ")} }
`
}
