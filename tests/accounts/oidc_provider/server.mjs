// A real OpenID Connect provider for the single sign-on tests (npm package oidc-provider).
//
// One confidential client: authorization code flow, PKCE (S256) required, ID tokens signed
// RS256 with a key made at start-up (published at /jwks). Its sign-in page is oidc-provider's
// development interaction: any account id typed into it signs in, with the claims
//   sub = the id, email = <id>@<OIDC_TEST_EMAIL_DOMAIN>, email_verified = true, name = the id
// (OIDC_TEST_ACCOUNTS, JSON {"id": {claims}}, overrides them per id). Consent is granted
// without a page (a first-party client). Each authorization request is written to standard
// output as one JSON line {"event": "authorization", "query": {...}}.
//
// Environment: OIDC_TEST_PORT (required), OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET,
// OIDC_TEST_REDIRECT_URIS and OIDC_TEST_POST_LOGOUT_URIS (comma-separated).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT);
if (!port) {
  console.error('OIDC_TEST_PORT must be set');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const list = (name) => (process.env[name] || '').split(',').map((s) => s.trim()).filter(Boolean);
const domain = process.env.OIDC_TEST_EMAIL_DOMAIN || 'sso.example.go.kr';
const overrides = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const configuration = {
  clients: [{
    client_id: process.env.OIDC_TEST_CLIENT_ID || 'portal',
    client_secret: process.env.OIDC_TEST_CLIENT_SECRET || 'portal-secret',
    redirect_uris: list('OIDC_TEST_REDIRECT_URIS'),
    post_logout_redirect_uris: list('OIDC_TEST_POST_LOGOUT_URIS'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = { sub: id, email: `${id}@${domain}`, email_verified: true, name: id, ...(overrides[id] || {}) };
    return { accountId: id, async claims() { return claims; } };
  },
  // A first-party client: consent is granted without asking.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth') {
    console.log(JSON.stringify({ event: 'authorization', query: ctx.query }));
  }
  await next();
});
provider.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', issuer }));
});
