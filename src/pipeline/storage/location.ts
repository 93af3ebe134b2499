/**
 * Locations as they may be recorded in the store (run manifests, validation results, quarantine
 * notes, failure records): what a person needs to find the file again, without the machine's
 * directory layout. A store is shared (a bucket, a published report); the absolute path of the
 * developer's checkout or of a CI runner's workspace has no business in it.
 */
import { basename, isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A local path for records: relative to `cwd` when it lies under it (`data/de35/x.csv`, `.` for
 * `cwd` itself), else `…/<file name>`. Relative paths are returned as they are.
 */
export function publicPath(path: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(path)) return path.split(sep).join("/");
  const rel = relative(cwd, path);
  if (rel === "") return ".";
  if (!rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  const name = basename(path);
  return name === "" ? "…" : `…/${name}`;
}

/**
 * A store URI for records: `gs://bucket/prefix` as it is (it names shared, not local, storage);
 * a local store (`file:///abs/dir`) as {@link publicPath} of its directory.
 */
export function publicStoreLocation(uri: string, cwd: string = process.cwd()): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return publicPath(fileURLToPath(uri), cwd);
  } catch {
    return "a local directory";
  }
}

const FILE_URL = /file:\/\/\/[^\s"'`,;)]+/g;
// An absolute path after a boundary (start, space, quote, bracket, `=`); never `//host` of a URL.
const ABSOLUTE_PATH = /(^|[\s"'`(=[])(\/(?!\/)[^\s"'`,;)\]]*)/g;

/**
 * A free text (an error message) with every `file:///...` URL and absolute local path replaced by
 * its {@link publicPath}, for the records a failed run leaves in the store.
 */
export function redactLocalPaths(text: string, cwd: string = process.cwd()): string {
  return text
    .replace(FILE_URL, (url) => {
      try {
        return publicPath(fileURLToPath(url), cwd);
      } catch {
        return "…";
      }
    })
    .replace(ABSOLUTE_PATH, (_m, pre: string, path: string) => pre + publicPath(path, cwd));
}
