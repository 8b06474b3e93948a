/**
 * The part of jsdom (a devDependency without bundled types) that server-side tests use: parsing
 * XML (TwiML) with a real parser and reading elements back.
 */
declare module 'jsdom' {
  interface XmlElement {
    readonly nodeName: string;
    readonly textContent: string | null;
    getAttribute(name: string): string | null;
    getElementsByTagName(name: string): ArrayLike<XmlElement> & Iterable<XmlElement>;
  }

  export class JSDOM {
    constructor(markup?: string, options?: { contentType?: string });
    readonly window: { readonly document: XmlElement & { readonly documentElement: XmlElement } };
  }
}
