/**
 * One client per Org (`ThoughtSpotClient.Service.forOrg`): each has its own credential — minted with the Org's
 * `org_id` (tokens) or `org_identifier` (cookie session) and renewed on its own — over the client's one
 * requester, so every Org shares the retry policy, the rate limiter and the concurrency bound. An Org asked for
 * twice gets the same client (one token per Org). A name is resolved to the Org's id with `orgs/search`.
 */
import { Effect, Semaphore } from "effect"
import type * as Auth from "../Auth.ts"
import type { Org, OrgIdentifier } from "../Orgs.ts"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as Classify from "./classify.ts"

/** What the registry needs from the client that owns it. */
export interface OrgClientsOptions<S> {
  /** The client's own authentication method, re-targeted at each Org. */
  readonly auth: Auth.AuthMethod
  /** Builds a client for `auth` over the owner's requester; its credentials are released with the owner's. */
  readonly build: (auth: Auth.AuthMethod) => Effect.Effect<S>
  /** `orgs/search` for a name, with the owner's credentials. */
  readonly searchOrgs: (name: string) => Effect.Effect<ReadonlyArray<Org>, ThoughtSpotError>
}

/** The authentication method `method`, logging into Org `orgId` instead. */
export const authForOrg = (method: Auth.AuthMethod, orgId: number): Auth.AuthMethod | undefined => {
  switch (method._tag) {
    case "Password":
    case "SecretKey":
    case "ObjectToken":
      return { ...method, orgId }
    case "CookieSession":
      return { ...method, orgIdentifier: String(orgId) }
    case "BearerToken":
      return undefined
  }
}

/** `forOrg` for a client: the Org's client, built on first use and kept. */
export const make = <S>(options: OrgClientsOptions<S>) =>
  Effect.map(Semaphore.make(1), (lock) => {
    const clients = new Map<number, S>()

    const idOf = (org: OrgIdentifier): Effect.Effect<number, ThoughtSpotError> => {
      if (typeof org === "number" || /^\d+$/.test(org)) {
        const id = Number(org)
        return Number.isSafeInteger(id) && id >= 0 && id <= 2_147_483_647
          ? Effect.succeed(id)
          : Effect.fail(Classify.badInput("forOrg", `an Org id is a whole number 0‥2147483647 (int32), got ${org}`))
      }
      return Effect.flatMap(options.searchOrgs(org), (orgs) => {
        // The search may match loosely: only an Org of exactly this name counts.
        const named = orgs.filter((o) => o.name === org)
        const found = named[0]
        if (named.length === 1 && found !== undefined && typeof found.id === "number") return Effect.succeed(found.id)
        return Effect.fail(
          Classify.badInput(
            "forOrg",
            named.length === 0
              ? `no Org is named ${JSON.stringify(org)} (among the Orgs this user can see): give its name exactly, or its id`
              : `${named.length} Orgs are named ${JSON.stringify(org)}${named.length === 1 ? " but it has no id" : ""}: give the Org's id instead`
          )
        )
      })
    }

    return (org: OrgIdentifier): Effect.Effect<S, ThoughtSpotError> =>
      Effect.flatMap(idOf(org), (id) => {
        const auth = authForOrg(options.auth, id)
        if (auth === undefined) {
          return Effect.fail(
            Classify.badInput(
              "forOrg",
              "a pre-issued bearer token belongs to the Org it was issued for and cannot be renewed for another: sign in with a password or secret key to address other Orgs"
            )
          )
        }
        const known = clients.get(id)
        if (known !== undefined) return Effect.succeed(known)
        // Built once even when asked for at once: a second client would mint a second token.
        return lock.withPermit(
          Effect.suspend(() => {
            const again = clients.get(id)
            if (again !== undefined) return Effect.succeed(again)
            return Effect.map(options.build(auth), (client) => {
              clients.set(id, client)
              return client
            })
          })
        )
      })
  })
