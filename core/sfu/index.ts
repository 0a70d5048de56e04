/**
 * The SFU feature's door: a room in SFU mode installs it once joined (a separate chunk in the
 * built package), so a mesh room never downloads it.
 *
 * @packageDocumentation
 */
export { installSfu } from './sfu-feature.js';
export { SfuPublication, type PublicationHost } from './sfu-publication.js';
export { SfuSubscription, type SubscriptionHost } from './sfu-subscription.js';
