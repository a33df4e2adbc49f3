/** The app's own defences that belong to no one feature: the frame guard, reading our own CSP. */
export { directiveSources, isAllowedByCsp, pagePolicy } from './csp';
export { framedByAnotherOrigin } from './framing';
