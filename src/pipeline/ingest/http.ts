import type { AxiosInstance, AxiosStatic } from "axios";

let loading: Promise<AxiosStatic> | undefined;

/**
 * axios, imported on first use: loading it takes about 0.2 s of CPU, and only the commands that
 * read the Energi Data Service API or download a file make a request (every other CLI start, and
 * every test that spawns one, used to pay for it).
 */
export function loadAxios(): Promise<AxiosStatic> {
  return (loading ??= import("axios").then((m) => m.default));
}

/** `given`, or else a fresh axios instance, created on first use and then kept. */
export function lazyHttpClient(given: AxiosInstance | undefined): () => Promise<AxiosInstance> {
  let client = given;
  return async () => (client ??= (await loadAxios()).create());
}
