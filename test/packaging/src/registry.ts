/**
 * A tiny npm registry on loopback: it serves the packuments and tarballs of the packages it is given and answers
 * 404 to everything else, so that npm resolves versions from it as from the public registry, with nothing going
 * out. For install questions only a registry can answer: which version npm picks, what it refuses.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** One version of a package the registry serves: its manifest (name and version included) and its tarball. */
export interface Published {
  readonly manifest: Readonly<Record<string, unknown>> & { readonly name: string; readonly version: string }
  readonly tarball: string
}

/** A running registry. */
export interface Registry {
  /** The registry's URL, for `npm_config_registry`. */
  readonly url: string
  readonly close: () => Promise<void>
}

/** Starts a registry serving `packages`; `latest` of each name is its last version given. */
export const startRegistry = async (packages: ReadonlyArray<Published>): Promise<Registry> => {
  const tarballs = new Map<string, Buffer>()
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? "/").split("?")[0]!)
    const tarball = tarballs.get(path)
    if (tarball !== undefined) {
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball)
      return
    }
    const versions = packages.filter(({ manifest }) => `/${manifest.name}` === path)
    if (versions.length === 0) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}')
      return
    }
    const { port } = server.address() as AddressInfo
    const name = versions[0]!.manifest.name
    const packument = {
      name,
      "dist-tags": { latest: versions.at(-1)!.manifest.version },
      versions: Object.fromEntries(
        versions.map(({ manifest, tarball: file }) => {
          const bytes = readFileSync(file)
          const at = `/${name}/-/${name.replace(/^@[^/]+\//, "")}-${manifest.version}.tgz`
          tarballs.set(at, bytes)
          return [
            manifest.version,
            {
              ...manifest,
              dist: {
                tarball: `http://127.0.0.1:${port}${at}`,
                shasum: createHash("sha1").update(bytes).digest("hex"),
                integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`
              }
            }
          ]
        })
      )
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
