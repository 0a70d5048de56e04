/**
 * Registers `tag` unless it already is (by an earlier call, or by another copy of the bundle:
 * the first registration wins).
 */
export function defineOnce(tag: string, ctor: CustomElementConstructor, registry: CustomElementRegistry = customElements): void {
  if (!registry.get(tag)) registry.define(tag, ctor);
}
