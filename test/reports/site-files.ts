/**
 * Reading a built report for the tests: the pages the config lists, the files Framework copied
 * into `_file/` (their names carry a content hash), and the CSV downloads.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import config from "../../observable.config.js";

/** The site's pages as the sidebar lists them, with the `<title>` each must have. */
export const SITE_PAGES = config.pages.map((p) => ({ name: p.name, path: p.path, title: `${p.name} | ${config.title}` }));

/** The path of the built copy of `reports/data/<base>.<ext>` (`_file/data/<base>.<hash>.<ext>`). */
export async function builtFile(dist: string, base: string, ext: string): Promise<string> {
  const dir = join(dist, "_file", "data");
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[0-9a-f]+\\.${ext}$`);
  const found = (await readdir(dir)).filter((f) => pattern.test(f));
  if (found.length !== 1) throw new Error(`expected one built ${base}.${ext} in ${dir}, found ${found.length}`);
  return join(dir, found[0]);
}

/** Parses CSV as the downloads write it (comma separated, `"` quoting, one record per line). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const fields: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let value = "";
        i++;
        while (i < line.length && !(line[i] === '"' && line[i + 1] !== '"')) {
          value += line[i];
          i += line[i] === '"' ? 2 : 1;
        }
        fields.push(value);
        i += 2;
      } else {
        const end = line.indexOf(",", i);
        fields.push(line.slice(i, end < 0 ? line.length : end));
        i = end < 0 ? line.length + 1 : end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}
