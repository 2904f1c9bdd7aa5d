/** The CLI version (also sent in the User-Agent): the app's package version, so the packed command says the same. */
import manifest from "../package.json" with { type: "json" }

export const version: string = manifest.version
