// semver.org 2.0.0, with an optional leading 'v' as APIVersion releases are often written.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(text: string): boolean {
  return SEMVER.test(text);
}

/** The release without its leading `v`, so `v1.2.0` and `1.2.0` compare equal. */
export function normalizeRelease(text: string): string {
  return text.startsWith('v') ? text.slice(1) : text;
}
