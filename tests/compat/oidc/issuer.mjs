// A real OpenID Connect provider (npm oidc-provider) for the OAUTHBEARER and Bearer tests,
// on 127.0.0.1 at a free port, with keys made at start: one RS256 and one ES256 key.
//   node issuer.mjs <dir>
// writes <dir>/keys.json (the private JWKs, so that a test can sign tokens the issuer
// would not: expired, wrong audience, ...) and prints "issuer <url>" once it serves.
// Its client brook-test / brook-test-secret gets JWT access tokens for the audience
// "brook" with the client credentials grant (POST <url>/token); the token's sub is the
// client id. Its client brook-console (a public, native client: a loopback redirect URI on
// any port, PKCE) logs people in with the authorization code flow for the web console's
// single sign-on, through oidc-provider's development login pages (any user name and
// password; the ID token's sub is the user name). A test steers the JWK Set endpoint (for a slow or a failing issuer)
// and reads how often it was fetched at <url>/__test (GET: counters; POST JSON
// {"jwks_delay_ms": n, "jwks_status": 200|503}).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Provider from 'oidc-provider';

const dir = process.argv[2];
const alg = process.env.ISSUER_TOKEN_ALG || 'ES256';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const keys = [
  { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
  { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
];
writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys }));

const control = { jwks_delay_ms: 0, jwks_status: 200, jwks_requests: 0, token_requests: 0 };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(url, {
    clients: [{
      client_id: 'brook-test',
      client_secret: 'brook-test-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    }, {
      client_id: 'brook-console',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/v1/session/oidc/callback'],
    }],
    jwks: { keys },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:brook',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'kafka',
          audience: 'brook',
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        }),
      },
    },
  });
  const serve = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === '/__test') {
      if (req.method === 'POST') {
        let body = '';
        req.on('data', (chunk) => { body += chunk; });
        req.on('end', () => {
          Object.assign(control, JSON.parse(body));
          res.end(JSON.stringify(control));
        });
      } else {
        res.end(JSON.stringify(control));
      }
      return;
    }
    if (req.url.startsWith('/jwks')) {
      control.jwks_requests += 1;
      setTimeout(() => {
        if (control.jwks_status !== 200) {
          res.statusCode = control.jwks_status;
          res.end('unavailable');
          return;
        }
        serve(req, res);
      }, control.jwks_delay_ms);
      return;
    }
    if (req.url.startsWith('/token')) {
      control.token_requests += 1;
    }
    serve(req, res);
  });
  console.log(`issuer ${url}`);
});
