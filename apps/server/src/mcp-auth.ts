import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ProjectGrant } from './project-grant.js';

/** The key of the grant in `AuthInfo.extra`. */
const GRANT = 'skillsProjectGrant';

/**
 * Hands the caller's grant to the tools of this request: the SDK's Streamable HTTP transport
 * passes `req.auth` to every handler as `extra.authInfo`. Per request, not per session: each
 * request of a session shows its own token. The token itself is not passed on (`token` stays
 * empty), so that nothing downstream can log it.
 */
export function attachGrant(req: IncomingMessage, grant: ProjectGrant): void {
  const auth: AuthInfo = { token: '', clientId: 'skills-token', scopes: [], extra: { [GRANT]: grant } };
  (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
}

/** The grant {@link attachGrant} gave the call, else `ungranted` (none over HTTP: fail closed; all over stdio). */
export function grantOfCall(authInfo: AuthInfo | undefined, ungranted: ProjectGrant): ProjectGrant {
  const grant = authInfo?.extra?.[GRANT];
  return grant instanceof ProjectGrant ? grant : ungranted;
}
