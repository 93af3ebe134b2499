/**
 * The part of Framework's client library (`observablehq:stdlib`, resolved by Framework at build
 * time) that the components use, for type checking with reports/tsconfig.json.
 */
declare module "observablehq:stdlib" {
  export interface FileAttachmentHandle {
    /** The file's name (its last path segment). */
    name: string;
    /** The absolute URL of the file in the built site. */
    href: string;
    url(): Promise<string>;
    json(): Promise<unknown>;
    arrayBuffer(): Promise<ArrayBuffer>;
  }
  export function FileAttachment(name: string): FileAttachmentHandle;
  export function resize(render: (width: number, height?: number) => Node | Promise<Node> | null): HTMLElement;
}
