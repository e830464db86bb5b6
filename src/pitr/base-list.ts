import { BASEBACKUP_SEGMENT, pathSegment } from "../catalog/naming.js";

/** Where an instance's base backups live in every storage: <server>/<instance>/_base/. */
export function basePrefix(server: string, instance: string): string {
  return `${pathSegment(server)}/${pathSegment(instance)}/${BASEBACKUP_SEGMENT}/`;
}
