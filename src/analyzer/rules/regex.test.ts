import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// Patterns are interpolated, never written in the template: a template literal drops the
// backslash of `\.` and rejects `\1`. Each builder puts the pattern at a fixed line and column.

/** An API whose second matcher of its only operation set has the pattern, at line 16, column 26. */
const api = (pathRegex: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: users, namespace: apps }
  spec:
    pathPrefix: /users
    service:
      name: user-app
      port: { number: 80 }
      openApiSpec:
        path: /openapi.yaml
        operationSets:
          - name: by-id
            matchers:
              - pathPrefix: /users/me
                methods: [GET]
              - pathRegex: '${pathRegex}'
                methods: [GET]
`;
const apiField = 'spec.service.openApiSpec.operationSets[0].matchers[1].pathRegex';

/** An APIVersion whose second operation set has the pattern, at line 16, column 26. */
const version = (pathRegex: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: v1, namespace: apps }
  spec:
    apiName: accounts
    service:
      name: account-app
      port: { number: 80 }
      openApiSpec:
        path: /openapi.yaml
        operationSets:
          - name: read
            matchers: [{ pathPrefix: /accounts, methods: [GET] }]
          - name: by-id
            matchers:
              - pathRegex: '${pathRegex}'
`;
const versionField = 'spec.service.openApiSpec.operationSets[1].matchers[0].pathRegex';

const versionedApi = yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: accounts, namespace: apps }
  spec: { pathPrefix: /accounts, currentVersion: v1 }
`;

/** CORS on an API (`kind: API`) or a version: the second allowOriginListRegex entry, line 11, column 9. */
const cors = (kind: 'API' | 'APIVersion', pattern: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: ${kind}
  metadata: { name: web, namespace: apps }
  spec:
    ${kind === 'API' ? 'pathPrefix: /web' : 'apiName: accounts'}
    service: { name: web-app, port: { number: 80 } }
    cors:
      allowOriginList: [https://www.example.com]
      allowOriginListRegex:
        - '${String.raw`^https://[a-z0-9-]+\.example\.com$`}'
        - '${pattern}'
`;

const compileError = (pattern: string, message: string) => `regular expression "${pattern}" does not compile: ${message}`;
const LOOKAROUND = 'lookahead and lookbehind are not supported (RE2 syntax)';
const BACKREFERENCE = 'backreferences are not supported (RE2 syntax)';

ruleTable('regex', {
  valid: [
    { name: 'a plain anchored pattern', files: api('^/users/[0-9]+$') },
    { name: 'Go-style leading flags', files: api('(?i)^/x') },
    { name: 'several leading flags', files: api('(?is)^/users/.+$') },
    { name: 'Go-style named group', files: api('^/users/(?P<id>[0-9]+)$') },
    { name: 'JS-style named group (RE2 accepts it too)', files: api('^/users/(?<id>[0-9]+)$') },
    { name: 'non-capturing group', files: api('^/users(?:/[0-9]+)?$') },
    { name: '\\A and \\z anchors', files: api(String.raw`\A/users/[0-9]+\z`) },
    { name: 'an escaped backslash followed by a digit is not a backreference', files: api(String.raw`^/a\\1$`) },
    { name: 'a valid pattern in an APIVersion', files: { 'api.yaml': versionedApi, 'version.yaml': version('(?i)^/accounts/(?P<id>[0-9]+)$') } },
    { name: 'valid allowOriginListRegex on an API', files: cors('API', '(?i)^https://example\\.org$') },
    { name: 'valid allowOriginListRegex on an APIVersion', files: cors('APIVersion', '^https://(?P<tenant>[a-z]+)\\.example\\.org$') },
  ],
  invalid: [
    {
      name: 'unterminated group in an API operation set',
      files: api('^/users/([0-9]+'),
      errors: [{ message: compileError('^/users/([0-9]+', 'Unterminated group'), line: 16, column: 26, severity: 'error', field: apiField }],
    },
    {
      name: 'unterminated character class after leading flags',
      files: api('(?i)^/users/[a-'),
      errors: [{ message: compileError('(?i)^/users/[a-', 'Unterminated character class'), line: 16, column: 26, field: apiField }],
    },
    {
      name: 'nothing to repeat in an APIVersion operation set',
      files: { 'api.yaml': versionedApi, 'version.yaml': version('*/accounts') },
      errors: [{ message: compileError('*/accounts', 'Nothing to repeat'), line: 16, column: 26, field: versionField, file: 'version.yaml' }],
    },
    {
      name: 'invalid allowOriginListRegex on an API, at the list entry',
      files: cors('API', '^https://(a|b.example.com$'),
      errors: [{ message: compileError('^https://(a|b.example.com$', 'Unterminated group'), line: 11, column: 9, field: 'spec.cors.allowOriginListRegex[1]' }],
    },
    {
      name: 'invalid allowOriginListRegex on an APIVersion, at the list entry',
      files: cors('APIVersion', '^https://[z-a]\\.example\\.com$'),
      errors: [
        {
          message: compileError('^https://[z-a]\\.example\\.com$', 'Range out of order in character class'),
          line: 11,
          column: 9,
          field: 'spec.cors.allowOriginListRegex[1]',
        },
      ],
    },
    { name: 'lookahead is refused', files: api('^/users/(?=admin)'), errors: [{ message: compileError('^/users/(?=admin)', LOOKAROUND), line: 16, column: 26 }] },
    { name: 'negative lookahead is refused', files: api('^/users/(?!admin)'), errors: [{ message: compileError('^/users/(?!admin)', LOOKAROUND), line: 16, column: 26 }] },
    { name: 'lookbehind is refused', files: api('(?<=/users)/[0-9]+$'), errors: [{ message: compileError('(?<=/users)/[0-9]+$', LOOKAROUND), line: 16, column: 26 }] },
    { name: 'a numbered backreference is refused', files: api(String.raw`^/(a+)/\1$`), errors: [{ message: compileError(String.raw`^/(a+)/\1$`, BACKREFERENCE), line: 16, column: 26 }] },
    {
      name: 'a named backreference is refused (RE2 has no \\k)',
      files: api(String.raw`^/(?P<x>a+)/\k<x>$`),
      errors: [{ message: compileError(String.raw`^/(?P<x>a+)/\k<x>$`, BACKREFERENCE), line: 16, column: 26 }],
    },
    {
      // Go: "invalid escape sequence: `\q`"; JavaScript without the u flag reads it as `q`.
      name: 'an escape RE2 does not know is refused',
      files: api(String.raw`^/users/\q`),
      errors: [{ message: /^regular expression "\^\/users\/\\q" does not compile: .*escape/, line: 16, column: 26 }],
    },
    {
      name: 'the ungreedy flag is refused',
      files: api('(?U)^/users/.+'),
      errors: [{ message: compileError('(?U)^/users/.+', 'the (?U) flag (ungreedy) is not supported'), line: 16, column: 26 }],
    },
    {
      name: 'one diagnostic per bad pattern, in file order',
      files: { 'api.yaml': api('^/(a)\\1'), 'cors.yaml': cors('API', '(?=x)') },
      errors: [
        { message: compileError('^/(a)\\1', BACKREFERENCE), line: 16, column: 26, file: 'api.yaml' },
        { message: compileError('(?=x)', LOOKAROUND), line: 11, column: 9, file: 'cors.yaml' },
      ],
    },
  ],
});
