import { formatFieldPath, type FieldPath } from '../../model/index.js';

/** `apps/employee-api (API)`: how messages name a resource, as the upstream analyzer does. */
export function describeResource(resource: { readonly kind: string; readonly namespace: string | undefined; readonly name: string }): string {
  return `${resource.namespace === undefined ? '' : `${resource.namespace}/`}${resource.name} (${resource.kind})`;
}

/** A field path relative to `spec`, as reference messages write it (`service.name`, `apis[1]`). */
export function specField(path: FieldPath): string {
  return formatFieldPath(path[0] === 'spec' ? path.slice(1) : path);
}
