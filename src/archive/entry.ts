/** One entry of an archive as the sidecar records it. */
export interface ContentEntry {
  name: string;
  size: number;
  type: "file" | "directory" | "symlink";
}
