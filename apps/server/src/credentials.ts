import { ProjectGrant } from './project-grant.js';
import { BearerToken, DASHBOARD_COOKIE, cookieNamed } from './security.js';
import type { ScopedToken } from './token-file.js';

/**
 * The tokens a server accepts, each with its {@link ProjectGrant}. Every lookup compares the
 * candidate with every token in constant time (see {@link BearerToken}) and never stops at the
 * first match, so the answer time tells neither which token matched nor how close a guess came.
 */
export class Credentials {
  readonly #entries: readonly { readonly bearer: BearerToken; readonly grant: ProjectGrant }[];

  /** @throws {TypeError} when a token breaks the token rules (checked when the file was read). */
  constructor(tokens: readonly ScopedToken[]) {
    if (tokens.length === 0) throw new TypeError('at least one token is needed');
    this.#entries = tokens.map((t) => ({ bearer: new BearerToken(t.token), grant: t.grant }));
  }

  /** The grant of the request's `Authorization: Bearer <token>`, or undefined when it names no token. */
  grantOfHeader(authorization: string | undefined): ProjectGrant | undefined {
    return this.#find((bearer) => bearer.verify(authorization))?.grant;
  }

  /** The grant of `candidate`, or undefined when it is no token. */
  grantOfToken(candidate: string): ProjectGrant | undefined {
    return this.#find((bearer) => bearer.matches(candidate))?.grant;
  }

  /** The grant of the dashboard cookie the `Cookie` header holds, or undefined. */
  grantOfCookie(cookieHeader: string | undefined): ProjectGrant | undefined {
    const sent = cookieNamed(cookieHeader, DASHBOARD_COOKIE) ?? '';
    return this.#find((bearer) => bearer.matchesCookie(sent))?.grant;
  }

  /** The dashboard cookie's value for `candidate`, or undefined when it is no token. */
  cookieFor(candidate: string): string | undefined {
    return this.#find((bearer) => bearer.matches(candidate))?.bearer.cookieValue();
  }

  #find(test: (bearer: BearerToken) => boolean): { readonly bearer: BearerToken; readonly grant: ProjectGrant } | undefined {
    let found: { readonly bearer: BearerToken; readonly grant: ProjectGrant } | undefined;
    // No early exit: every token is compared whichever matches.
    for (const entry of this.#entries) if (test(entry.bearer) && !found) found = entry;
    return found;
  }
}

/** The credentials of a server with one token (`SKILLS_SERVER_TOKEN`): it allows every project. */
export function singleToken(token: string): Credentials {
  return new Credentials([{ token, grant: ProjectGrant.ALL }]);
}
