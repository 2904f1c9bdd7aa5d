/**
 * How the client authenticates: the five ThoughtSpot methods as plain data (secrets held as `Redacted`).
 *
 * - `password` / `secretKey`: a full-access bearer token from `auth/token/full`, renewed as it nears expiry;
 * - `objectToken`: a token from `auth/token/object`, scoped to one object;
 * - `bearerToken`: a token issued elsewhere — it cannot be renewed, so a 401 is final;
 * - `cookieSession`: `auth/session/login`, then the session cookies on every call.
 */
import { Redacted } from "effect"

/** Options shared by the token-minting methods. */
export interface TokenOptions {
  /** The Org to log into (`org_id`); ThoughtSpot's default applies when absent. */
  readonly orgId?: number | undefined
  /**
   * Requested token validity (`validity_time_in_sec`, an int32: 1 to 2147483647 s, checked when the client is
   * built); ThoughtSpot's default is 300 s.
   */
  readonly validitySeconds?: number | undefined
}

/** Username + password through `auth/token/full`. */
export interface Password extends TokenOptions {
  readonly _tag: "Password"
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/** Trusted authentication: username + the cluster's `secret_key` through `auth/token/full`. */
export interface SecretKey extends TokenOptions {
  readonly _tag: "SecretKey"
  readonly username: string
  readonly secretKey: Redacted.Redacted<string>
}

/** A token scoped to one object, from `auth/token/object` with a password or secret key. */
export interface ObjectToken extends TokenOptions {
  readonly _tag: "ObjectToken"
  readonly username: string
  readonly objectId: string
  readonly credential:
    | { readonly _tag: "Password"; readonly password: Redacted.Redacted<string> }
    | { readonly _tag: "SecretKey"; readonly secretKey: Redacted.Redacted<string> }
}

/** A bearer token obtained elsewhere; never renewed. */
export interface BearerToken {
  readonly _tag: "BearerToken"
  readonly token: Redacted.Redacted<string>
}

/** Cookie session through `auth/session/login`. */
export interface CookieSession {
  readonly _tag: "CookieSession"
  readonly username: string
  readonly password: Redacted.Redacted<string>
  /** `org_identifier`: name or id of the Org. */
  readonly orgIdentifier?: string | undefined
  /** `remember_me`: about 7 days instead of 3 hours of inactivity. */
  readonly rememberMe?: boolean | undefined
}

/** Any authentication method. */
export type AuthMethod = Password | SecretKey | ObjectToken | BearerToken | CookieSession

const secret = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/** Username + password (`auth/token/full`). */
export const password = (
  options: { readonly username: string; readonly password: string | Redacted.Redacted<string> } & TokenOptions
): Password => ({ ...options, _tag: "Password", password: secret(options.password) })

/** Trusted authentication with the cluster's secret key (`auth/token/full`). */
export const secretKey = (
  options: { readonly username: string; readonly secretKey: string | Redacted.Redacted<string> } & TokenOptions
): SecretKey => ({ ...options, _tag: "SecretKey", secretKey: secret(options.secretKey) })

/** A token for one object (`auth/token/object`), with either a password or a secret key. */
export const objectToken = (
  options: {
    readonly username: string
    readonly objectId: string
  } & (
    | { readonly password: string | Redacted.Redacted<string> }
    | { readonly secretKey: string | Redacted.Redacted<string> }
  ) &
    TokenOptions
): ObjectToken => {
  const base = {
    _tag: "ObjectToken" as const,
    username: options.username,
    objectId: options.objectId,
    ...(options.orgId === undefined ? {} : { orgId: options.orgId }),
    ...(options.validitySeconds === undefined ? {} : { validitySeconds: options.validitySeconds })
  }
  // The one that is set (`{ password, secretKey: undefined }` is a password); neither: the one named, refused later.
  const given = options as { readonly password?: unknown; readonly secretKey?: unknown }
  const bySecretKey = given.secretKey !== undefined || (given.password === undefined && "secretKey" in options)
  return bySecretKey
    ? {
        ...base,
        credential: {
          _tag: "SecretKey",
          secretKey: secret((options as { readonly secretKey: string | Redacted.Redacted<string> }).secretKey)
        }
      }
    : {
        ...base,
        credential: {
          _tag: "Password",
          password: secret((options as { readonly password: string | Redacted.Redacted<string> }).password)
        }
      }
}

/** A pre-issued bearer token (cannot be renewed: a 401 fails with "token expired or revoked"). */
export const bearerToken = (token: string | Redacted.Redacted<string>): BearerToken => ({
  _tag: "BearerToken",
  token: secret(token)
})

/** Cookie session login (`auth/session/login`); the session cookies go on every call. */
export const cookieSession = (options: {
  readonly username: string
  readonly password: string | Redacted.Redacted<string>
  readonly orgIdentifier?: string | undefined
  readonly rememberMe?: boolean | undefined
}): CookieSession => ({ ...options, _tag: "CookieSession", password: secret(options.password) })

/** The secret values of a method, for scrubbing server text before it reaches an error or a log. */
export const secretsOf = (method: AuthMethod): ReadonlyArray<string> => {
  switch (method._tag) {
    case "Password":
    case "CookieSession":
      return [Redacted.value(method.password)]
    case "SecretKey":
      return [Redacted.value(method.secretKey)]
    case "ObjectToken":
      return [
        method.credential._tag === "Password"
          ? Redacted.value(method.credential.password)
          : Redacted.value(method.credential.secretKey)
      ]
    case "BearerToken":
      return [Redacted.value(method.token)]
  }
}
